/** What the browser tests do to the interface: log in, count key presses, check, photograph. */
import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { password } from './e2e-core'

export async function login(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url)
  await page.getByLabel('Brukernavn').fill(username)
  await page.getByLabel('Passord').fill(password)
  await page.getByRole('button', { name: 'Logg inn' }).click()
  await expect(page.getByTestId('connection')).toHaveText(/Tilkoblet/)
}

/** A keyboard that counts every key press, the way the keypress budget is measured. */
export class CountingKeyboard {
  presses = 0
  letters = 0
  constructor(private readonly page: Page) {}

  async press(key: string): Promise<void> {
    this.presses++
    await this.page.keyboard.press(key)
  }

  /** Typing letters of a name: counted apart, as the budget is "N plus the letters typed". */
  async type(text: string): Promise<void> {
    for (const ch of text) {
      this.letters++
      await this.page.keyboard.press(ch)
    }
  }
}

/** No serious or critical accessibility violation on what is on screen now. */
export async function expectAccessible(page: Page, view: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze()
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${view}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
  expect(bad).toEqual([])
}

const shots = 'test-results/screenshots'

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: `${shots}/${name}.png` })
}
