/** The shortcut cheat sheet (`?`), drawn from the same list the key handler runs. */
import { useTranslation } from 'react-i18next'
import { useAppDispatch } from '../../app/hooks'
import { Dialog } from '../../components/Dialog'
import { Kbd } from '../../components/Kbd'
import { cheatSheetRows } from './keymap'
import { dialogClosed } from './uiSlice'

export function CheatSheet() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  return (
    <Dialog title={t('shortcuts.title')} onClose={() => dispatch(dialogClosed())} wide>
      <p className="muted">{t('shortcuts.intro')}</p>
      <table className="cheat-sheet">
        <tbody>
          {cheatSheetRows.map((row) => (
            <tr key={row.text + row.keys.join()}>
              <th scope="row">
                {row.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 ? ' ' : null}
                    <Kbd>{k}</Kbd>
                  </span>
                ))}
              </th>
              <td>{t(`shortcuts.${row.text}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  )
}
