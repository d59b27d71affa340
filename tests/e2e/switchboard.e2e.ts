/**
 * The receptionist's day in the browser, against a real core: answer by keyboard, find a
 * colleague by part of the name, put the caller through, see the colleague turn busy, find the
 * call in both call logs; consult and cancel; see an absent colleague's reason and forward.
 */
import { expect, test, type Page } from '@playwright/test'
import { people, startE2eCore, type E2eCore } from './support/e2e-core'
import { CountingKeyboard, expectAccessible, login, screenshot } from './support/ui'

let core: E2eCore

test.beforeAll(async () => {
  core = await startE2eCore()
})
test.afterAll(async () => {
  await core?.stop()
})

/** Waits until the core has nothing left of a call, so tests do not see each other's. */
async function noCalls(): Promise<void> {
  await expect.poll(() => core.core.runtime.snapshot(core.companyId)!.calls.length).toBe(0)
}

function agentOf(userId: string) {
  return core.core.runtime.snapshot(core.companyId)!.agents.find((a) => a.userId === userId)!
}

async function offered(page: Page, number: string) {
  const offer = page.getByTestId('offered-call')
  await expect(offer).toContainText(number)
  return offer
}

test('answers by keyboard and puts the caller through to a colleague found by part of the name', async ({
  page,
}) => {
  await login(page, core.url, 'ola')
  const leg = core.call('+4790011223')
  await offered(page, '900 11 223')
  await expect(page.getByTestId('offered-call')).toContainText('Sentralbord')
  await screenshot(page, '01-switchboard-ringing')
  await expectAccessible(page, 'switchboard with a call ringing')

  const keys = new CountingKeyboard(page)
  await keys.press('Enter')
  await expect(page.getByTestId('active-call')).toHaveAttribute('data-state', 'connected')
  // After answering, the focus is in the transfer search.
  await expect(page.getByTestId('transfer-search')).toBeFocused()
  await keys.type('solv')
  const first = page.getByTestId('transfer-target').first()
  await expect(first).toContainText('Solveig Solberg')
  await expect(first).toContainText('Ledig')
  await screenshot(page, '02-transfer-search')
  await expectAccessible(page, 'transfer search')
  await keys.press('Enter')

  expect(keys.presses).toBeLessThanOrEqual(6)
  expect(keys.letters).toBe(4)

  // The colleague's phone answers (simulated): the caller is with Solveig, who is busy now.
  await expect.poll(() => agentOf(people.solveig.id).presence).toBe('busy')
  await expect(page.getByTestId('active-call')).toHaveCount(0)
  await page.getByTestId('transfer-search').fill('solveig')
  await expect(page.getByTestId('transfer-target').first()).toContainText('Opptatt')

  core.sim.hangUp(leg)
  await noCalls()

  // Ola's call log: incoming through Sentralbord, answered, transferred to Solveig.
  await page.keyboard.press('Escape')
  await page.keyboard.press('Escape')
  await page.getByRole('button', { name: 'Min logg' }).click()
  const mine = page.getByTestId('my-log-row').first()
  await expect(mine).toContainText('900 11 223')
  await expect(mine).toContainText('Inn')
  await expect(mine).toContainText('Sentralbord')
  await expect(mine).toContainText('Besvart')
  await expect(mine).toContainText('Solveig Solberg')
  await screenshot(page, '05-my-call-log')
  await expectAccessible(page, 'my call log')

  // Solveig's: the same caller, incoming, answered.
  const solveig = await page
    .context()
    .browser()!
    .newPage({ locale: 'nb-NO', timezoneId: 'Europe/Oslo' })
  await login(solveig, core.url, 'solveig')
  await solveig.getByRole('button', { name: 'Min logg' }).click()
  const hers = solveig.getByTestId('my-log-row').first()
  await expect(hers).toContainText('900 11 223')
  await expect(hers).toContainText('Inn')
  await expect(hers).toContainText('Besvart')
  await solveig.close()
})

test('an attended transfer cancelled returns the caller to the operator', async ({ page }) => {
  await login(page, core.url, 'ola')
  core.call('+4790055555')
  await offered(page, '900 55 555')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('transfer-search')).toBeFocused()
  await page.keyboard.type('kristofer') // spelt without the double f: still found
  await expect(page.getByTestId('transfer-target').first()).toContainText('Kristoffer Ødegård')
  await page.keyboard.press('Shift+Enter')
  await expect(page.getByTestId('active-call')).toHaveAttribute('data-state', 'consulting')
  await expect(page.getByTestId('consult')).toContainText('Kristoffer Ødegård')
  // Kristoffer's phone answers (simulated): the consultation is connected.
  await expect(page.getByTestId('consult')).toContainText('Forespør Kristoffer')
  await screenshot(page, '03-consulting')
  await page.keyboard.press('x')
  await expect(page.getByTestId('active-call')).toHaveAttribute('data-state', 'connected')
  await expect(page.getByTestId('caller-name')).toContainText('900 55 555')
  const call = core.core.runtime.snapshot(core.companyId)!.calls[0]!
  expect(call.agentId).toBe('ola')
  expect(call.consult).toBeNull()
  await expect.poll(() => agentOf(people.kristoffer.id).presence).toBe('available')
  // And hang up from the keyboard.
  await page.keyboard.press('e')
  await noCalls()
  expect(core.sim.liveLegs).toBe(0)
})

test('an absent colleague shows the reason, until when and where calls are forwarded', async ({
  page,
}) => {
  const until = Date.now() + 2 * 3600_000
  expect(
    core.core.runtime.dispatch({
      type: 'absence.set',
      companyId: core.companyId,
      userId: people.aase.id,
      reason: 'meeting',
      until,
      forwardTo: '+4799887766',
    }),
  ).toBeNull()
  await login(page, core.url, 'ola')
  await page.getByTestId('transfer-search').focus()
  await page.keyboard.type('aase') // å typed as aa
  const row = page.getByTestId('transfer-target').first()
  await expect(row).toContainText('Åse Fjeld')
  await expect(row).toContainText('Fravær: Møte')
  await expect(row).toContainText('viderekoblet til 998 87 766')
  const time = new Intl.DateTimeFormat('nb-NO', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'Europe/Oslo',
  }).format(until)
  await expect(row).toContainText(`til ${time}`)

  await page.getByRole('button', { name: 'Katalog' }).click()
  await page.getByTestId('directory-search').fill('fjeld')
  await expect(page.getByTestId('directory-row').first()).toContainText('Fravær: Møte')
  await screenshot(page, '06-directory')
  await expectAccessible(page, 'directory')
})
