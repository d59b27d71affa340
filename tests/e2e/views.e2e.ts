/**
 * The queue board against the engine's own figures, rights in the interface, a core restart
 * survived without a reload, and every main view checked for accessibility and photographed.
 */
import { expect, test } from '@playwright/test'
import type { QueueStatistics } from '../../src/shared/protocol'
import { startOfDay } from '../../src/renderer/src/lib/time'
import { people, QUEUE_NUMBER, startE2eCore, type E2eCore } from './support/e2e-core'
import { expectAccessible, login, screenshot } from './support/ui'

let core: E2eCore

test.beforeAll(async () => {
  core = await startE2eCore()
})
test.afterAll(async () => {
  await core?.stop()
})

const snapshot = () => core.core.runtime.snapshot(core.companyId)!

test('the queue board shows the engine’s figures, live', async ({ page }) => {
  // Two callers answered (Ola is not logged in: the simulated phone answers), one who gives
  // up while Ola is paused, and one still waiting.
  for (const from of ['+4791000001', '+4791000002']) {
    const leg = core.call(from)
    await expect.poll(() => snapshot().calls.find((c) => c.state === 'connected')).toBeTruthy()
    core.sim.hangUp(leg)
    await expect.poll(() => snapshot().calls.length).toBe(0)
  }
  core.core.runtime.dispatch({
    type: 'queue.pause',
    companyId: core.companyId,
    userId: people.ola.id,
    queueId: null,
    reason: 'Lunsj',
  })
  const gaveUp = core.call('+4791000003')
  await expect.poll(() => snapshot().queues.find((q) => q.id === 'sentralbord')!.waiting).toBe(1)
  core.sim.hangUp(gaveUp)
  core.call('+4791000004')
  await expect.poll(() => snapshot().queues.find((q) => q.id === 'sentralbord')!.waiting).toBe(1)

  await login(page, core.url, 'kari')
  await page.getByRole('button', { name: 'Køtavle' }).click()
  const card = page.locator('[data-testid="board-queue"][data-queue-id="sentralbord"]')

  // What the engine says, asked the way any client may ask.
  const kari = await core.client('kari')
  const now = Date.now()
  const stats = (await kari.timeout(5000).emitWithAck('stats:queues', {
    from: startOfDay(now),
    to: now,
  })) as { data: QueueStatistics[] }
  const sentralbord = stats.data.find((s) => s.queueId === 'sentralbord')!
  expect(sentralbord.answered).toBe(2)
  expect(sentralbord.abandoned).toBe(1)
  const queueView = snapshot().queues.find((q) => q.id === 'sentralbord')!
  const ola = snapshot().agents.find((a) => a.userId === people.ola.id)!
  const membership = ola.queues.find((m) => m.queueId === 'sentralbord')!
  expect(membership.paused).not.toBeNull()

  await expect(card.getByTestId('figure-waiting')).toHaveText(String(queueView.waiting))
  await expect(card.getByTestId('figure-available')).toHaveText('0')
  await expect(card.getByTestId('figure-answered')).toHaveText(String(sentralbord.answered))
  await expect(card.getByTestId('figure-unanswered')).toHaveText(
    String(sentralbord.abandoned + sentralbord.timedOut),
  )
  await expect(card.getByTestId('figure-service-level')).toHaveText(
    `${Math.round((sentralbord.serviceLevel ?? 0) * 100)} %`,
  )
  await expect(card.getByTestId('figure-longest')).toHaveText(/^0:\d\d$/)
  await expect(card).toContainText('910 00 004')
  await screenshot(page, '04-queue-board')
  await expectAccessible(page, 'queue board')

  // Live: Ola is back, the waiting caller is answered, the figures follow.
  core.core.runtime.dispatch({
    type: 'queue.unpause',
    companyId: core.companyId,
    userId: people.ola.id,
    queueId: null,
  })
  await expect(card.getByTestId('figure-waiting')).toHaveText('0')
  await expect(card.getByTestId('figure-answered')).toHaveText('3')
  await page.keyboard.press('f')
  await expect(page.getByTestId('queue-board')).toHaveClass(/board-full/)
  await screenshot(page, '07-queue-board-full-screen')
  kari.disconnect()
})

test('a user without the switchboard function cannot open it', async ({ page }) => {
  await login(page, core.url, 'even')
  // Even lands elsewhere, and the menu does not offer the switchboard.
  await expect(page.getByRole('navigation')).not.toContainText('Sentralbord')
  await expect(page.getByRole('button', { name: 'Køtavle' })).toBeVisible()
  await page.goto(`${core.url}/#/switchboard`)
  await expect(page.getByTestId('no-access')).toContainText('Du har ikke tilgang til sentralbord')
  await expect(page.getByTestId('waiting-list')).toHaveCount(0)
  await page.keyboard.press('1')
  await expect(page.getByTestId('no-access')).toBeVisible()
})

test('after the core restarts, the view resynchronises without a reload', async ({ page }) => {
  await login(page, core.url, 'ola')
  await page.evaluate(() => {
    ;(globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true
  })
  await core.restart()
  // Calls made while the interface was away show up once it is back.
  core.call('+4792000001')
  await expect(page.getByTestId('connection')).toHaveText('Tilkoblet', { timeout: 20_000 })
  await expect(page.getByTestId('offered-call')).toContainText('920 00 001')
  expect(
    await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce),
  ).toBe(true)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('active-call')).toHaveAttribute('data-state', 'connected')
  await page.keyboard.press('Alt+e')
  await expect.poll(() => snapshot().calls.length).toBe(0)
})

test('every main view passes the accessibility check, in Norwegian and English', async ({
  page,
}) => {
  await page.goto(core.url)
  await expect(page.getByRole('button', { name: 'Logg inn' })).toBeVisible()
  await screenshot(page, '00-login')
  await expectAccessible(page, 'login')

  await login(page, core.url, 'ola')
  for (const [button, name] of [
    ['Min status', '08-my-status'],
    ['Kølogg', '09-queue-log'],
    ['Innstillinger', '10-settings'],
  ] as const) {
    await page.getByRole('button', { name: button }).click()
    await expect(page.locator('main h1').first()).toBeVisible()
    await screenshot(page, name)
    await expectAccessible(page, button)
  }
  await page.getByRole('button', { name: 'Min status' }).click()
  await page.getByTestId('absence-reason').selectOption('lunch')
  await page.getByTestId('absence-forward').fill('91234567')
  await page.getByTestId('absence-save').click()
  await expect(page.getByTestId('my-status')).toContainText('Fravær: Lunsj')
  await expect(page.getByTestId('my-status')).toContainText('viderekoblet til 912 34 567')
  await page.getByRole('button', { name: 'Jeg er tilbake' }).click()
  await expect(page.getByTestId('my-status')).toContainText('Ledig')

  await page.keyboard.press('?')
  await expect(page.getByRole('dialog', { name: 'Hurtigtaster' })).toBeVisible()
  await screenshot(page, '11-cheat-sheet')
  await expectAccessible(page, 'cheat sheet')
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toHaveCount(0)

  await page.getByRole('button', { name: 'Innstillinger' }).click()
  await page.getByLabel('English').check()
  await expect(page.getByRole('button', { name: 'Switchboard' })).toBeVisible()
  await page.getByRole('button', { name: 'Switchboard' }).click()
  core.call('+4793000001')
  await expect(page.getByTestId('offered-call')).toContainText('Answer')
  await screenshot(page, '12-switchboard-english')
  await expectAccessible(page, 'switchboard (English)')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('active-call')).toHaveAttribute('data-state', 'connected')
  await page.keyboard.press('Alt+e')
  await expect.poll(() => snapshot().calls.length).toBe(0)
  void QUEUE_NUMBER
})
