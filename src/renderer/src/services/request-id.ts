/**
 * Idempotency keys for commands. crypto.randomUUID exists only in secure contexts, and the web
 * switchboard may be opened over plain HTTP on the office network; getRandomValues works in both.
 */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
