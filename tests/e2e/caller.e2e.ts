/**
 * Caller information and outgoing traffic: a note written about a caller is there when they
 * call again, with the earlier call in their history; an outgoing call and an SMS go out from a
 * number the operator may present, chosen in the dialog.
 */
import { expect, test } from '@playwright/test'
import type { OutboxSmsGateway } from '../../src/core/integrations/sms-gateway'
import { QUEUE_NUMBER, startE2eCore, type E2eCore } from './support/e2e-core'
import { expectAccessible, login, screenshot } from './support/ui'

let core: E2eCore

test.beforeAll(async () => {
  core = await startE2eCore()
})
test.afterAll(async () => {
  await core?.stop()
})

const calls = () => core.core.runtime.snapshot(core.companyId)!.calls

test('a note about a caller and their earlier call are there when they call again', async ({
  page,
}) => {
  await login(page, core.url, 'ola')
  core.call('+4795511111')
  await expect(page.getByTestId('offered-call')).toContainText('955 11 111')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('caller-info')).toContainText('Ingen tidligere anrop')
  await page
    .getByPlaceholder('Skriv et notat om innringeren')
    .fill('Vil snakke med lønn om feriepenger')
  await page.getByRole('button', { name: 'Lagre notat' }).click()
  await expect(page.getByTestId('caller-notes')).toContainText('feriepenger')
  await page.keyboard.press('Alt+e')
  await expect.poll(() => calls().length).toBe(0)

  core.call('+4795511111')
  await expect(page.getByTestId('offered-call')).toContainText('955 11 111')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('caller-notes')).toContainText('Vil snakke med lønn om feriepenger')
  await expect(page.getByTestId('caller-notes')).toContainText('Ola Operatør')
  await expect(page.getByTestId('caller-history')).toContainText('Sentralbord')
  await expect(page.getByTestId('caller-history')).toContainText('Ola Operatør')
  await screenshot(page, '13-caller-history-and-notes')
  await expectAccessible(page, 'caller history and notes')
  await page.keyboard.press('Alt+e')
  await expect.poll(() => calls().length).toBe(0)
})

test('an outgoing call and an SMS from a number the operator may present', async ({ page }) => {
  await login(page, core.url, 'ola')
  await page.keyboard.press('d')
  const dialog = page.getByRole('dialog', { name: 'Ring ut' })
  await expect(dialog).toBeVisible()
  await expectAccessible(page, 'outgoing call dialog')
  await dialog.getByTestId('outgoing-to').fill('412 34 567')
  // Only the numbers Ola may present are offered: the queue's number.
  await expect(dialog.getByTestId('outgoing-from').locator('option')).toHaveText(['22 00 00 00'])
  await dialog.getByRole('button', { name: 'Ring', exact: true }).click()
  await expect
    .poll(() => calls().map((c) => [c.direction, c.remote.number, c.presentedNumber]))
    .toEqual([['outbound', '+4741234567', QUEUE_NUMBER]])
  // The outside party answers (simulated); the call is Ola's, with its actions.
  await expect(page.getByTestId('active-call')).toHaveAttribute('data-state', 'connected')
  await page.keyboard.press('Alt+e')
  await expect.poll(() => calls().length).toBe(0)

  await page.keyboard.press('s')
  const sms = page.getByRole('dialog', { name: 'Send SMS' })
  await sms.getByTestId('outgoing-to').fill('41234567')
  await sms.getByLabel('Melding').fill('Hei! Du ringte oss – vi ringer deg tilbake i dag.')
  await sms.getByRole('button', { name: 'Send' }).click()
  await expect(page.getByTestId('notices')).toContainText('SMS sendt')
  const outbox = core.core.app.sms as OutboxSmsGateway
  expect(outbox.messages().map((m) => [m.senderId, m.from, m.to, m.text])).toEqual([
    ['ola', QUEUE_NUMBER, '+4741234567', 'Hei! Du ringte oss – vi ringer deg tilbake i dag.'],
  ])
})
