/**
 * Numbers and durations the way Norwegians read them, and the two languages kept in step.
 */
import { describe, expect, it } from 'vitest'
import { en } from '../../../src/renderer/src/i18n/en'
import { createI18n, errorText } from '../../../src/renderer/src/i18n'
import { formatDuration, formatPhone, formatTime } from '../../../src/renderer/src/i18n/format'
import { nb } from '../../../src/renderer/src/i18n/nb'

describe('phone numbers', () => {
  it('write Norwegian mobile numbers 3-2-3', () => {
    expect(formatPhone('+4791234567')).toBe('912 34 567')
    expect(formatPhone('+4741234567')).toBe('412 34 567')
    expect(formatPhone('91234567')).toBe('912 34 567')
  })

  it('write other Norwegian numbers in pairs', () => {
    expect(formatPhone('+4722123456')).toBe('22 12 34 56')
    expect(formatPhone('+4755667788')).toBe('55 66 77 88')
  })

  it('write foreign numbers internationally, with the country code', () => {
    expect(formatPhone('+46812345678')).toBe('+46 8 123 456 78')
    expect(formatPhone('+442079460958')).toBe('+44 20 7946 0958')
  })

  it('leave extensions, short numbers and what is not a number as they are', () => {
    for (const text of ['201', '1881', '02000', 'anonym']) expect(formatPhone(text)).toBe(text)
    expect(formatPhone(null)).toBe('')
    expect(formatPhone(undefined)).toBe('')
  })
})

describe('durations', () => {
  it('are minutes and seconds, with hours only past an hour', () => {
    expect(formatDuration(0)).toBe('0:00')
    expect(formatDuration(7_000)).toBe('0:07')
    expect(formatDuration(59_999)).toBe('0:59')
    expect(formatDuration((12 * 60 + 34) * 1000)).toBe('12:34')
    expect(formatDuration((3600 + 2 * 60 + 3) * 1000)).toBe('1:02:03')
  })

  it('never go below zero (a clock a little ahead of the core’s)', () => {
    expect(formatDuration(-1_500)).toBe('0:00')
  })
})

describe('times', () => {
  it('are on the 24-hour clock in Oslo, whatever the computer’s time zone', () => {
    // 13:05 UTC is 14:05 in Oslo in winter and 15:05 in summer.
    expect(formatTime(Date.UTC(2026, 0, 15, 13, 5), 'nb')).toBe('14:05')
    expect(formatTime(Date.UTC(2026, 6, 15, 13, 5), 'en')).toBe('15:05')
  })
})

/** Every key path of a nested object of strings: `a.b.c`. */
function keyPaths(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) =>
    typeof child === 'object' && child !== null
      ? keyPaths(child as object, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  )
}

describe('the languages', () => {
  it('nb and en have exactly the same keys', () => {
    expect(keyPaths(en).sort()).toEqual(keyPaths(nb).sort())
  })

  it('have no empty texts', () => {
    for (const language of [nb, en]) {
      const empty = keyPaths(language).filter((path) => {
        const text = path
          .split('.')
          .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], language)
        return typeof text !== 'string' || text.trim() === ''
      })
      expect(empty).toEqual([])
    }
  })

  it('turn a code without a sentence of its own into the generic one, naming the code', () => {
    const i18n = createI18n('nb')
    expect(errorText(i18n, 'INVALID_CREDENTIALS')).toBe(nb.error.INVALID_CREDENTIALS)
    expect(errorText(i18n, 'SOMETHING_NEW')).toBe(
      nb.error.generic.replace('{{code}}', 'SOMETHING_NEW'),
    )
    const english = createI18n('en')
    expect(errorText(english, 'UNKNOWN_CALL')).toBe(en.error.UNKNOWN_CALL)
  })
})

describe('error sentences', () => {
  it('has a sentence in both languages for every code the core or the client can send', async () => {
    const { apiErrorCodes } = await import('../../../src/shared/errors')
    const { nb } = await import('../../../src/renderer/src/i18n/nb')
    const { en } = await import('../../../src/renderer/src/i18n/en')
    const codes = [...apiErrorCodes, 'TIMEOUT', 'OFFLINE']
    const missing = (dict: Record<string, string>) => codes.filter((c) => !(c in dict))
    expect(missing(nb.error)).toEqual([])
    expect(missing(en.error)).toEqual([])
  })
})
