/** Norway's calendar day, whatever the computer's own time zone is set to. */
export const timeZone = 'Europe/Oslo'

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** The instant the current day began in Oslo (wall-clock midnight). */
export function startOfDay(now: number): number {
  const parts = Object.fromEntries(partsFormat.formatToParts(now).map((p) => [p.type, p.value]))
  const sinceMidnight =
    (Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second)) * 1000 +
    (now % 1000)
  return now - sinceMidnight
}
