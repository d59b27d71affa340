/**
 * The SIP file: how each company's telephones and trunks reach the core. Phones register with
 * the core's registrar (digest authentication) under their user's extension; trunks are peers
 * whose INVITEs are callers from outside, and where calls to outside numbers go.
 *
 * ```yaml
 * companies:
 *   demo:                               # a company id
 *     domain: sip.nordlys.example       # the phones' SIP domain and digest realm
 *     trunks:
 *       - name: operator
 *         peers: ['192.0.2.10']         # INVITEs from these addresses (any port) are callers
 *         outbound: { host: 192.0.2.10, port: 5060 }   # optional: outside numbers go here
 *     phones:
 *       - extension: '201'              # the user with this extension
 *         username: '201'               # optional, defaults to the extension
 *         ha1Md5: 5f4dcc…               # HA1 = hash(username:domain:password), both algorithms…
 *         ha1Sha256: 9e1f…
 *       - { extension: '202', password: 'only-for-tests' }   # …or a password (hashed at load)
 * ```
 *
 * Passwords never need to be written down: HA1 values are what the registrar keeps. Every
 * problem is reported with its path, as for the company file.
 */
import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { parse } from 'yaml'
import { z } from 'zod'
import type { CompanyConfig } from '../domain/config'
import { credentialsFor, type StoredCredentials } from '../telephony/sip/digest'
import { ConfigError, formatPath } from './company-file'

const address = z.string().refine((v) => isIP(v) !== 0, 'expected an IP address')
const hex = (length: number) =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{${length}}$`), `expected ${length} hexadecimal digits`)

const phone = z
  .strictObject({
    extension: z.union([z.string(), z.number()]).transform(String),
    username: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-"')
      .optional(),
    password: z.string().min(8).optional(),
    ha1Md5: hex(32).optional(),
    ha1Sha256: hex(64).optional(),
  })
  .refine(
    (p) => p.password !== undefined || (p.ha1Md5 !== undefined && p.ha1Sha256 !== undefined),
    'give either password or both ha1Md5 and ha1Sha256',
  )

const schema = z.strictObject({
  companies: z.record(
    z.string(),
    z.strictObject({
      domain: z.string().min(1),
      trunks: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            peers: z.array(address).min(1),
            outbound: z
              .strictObject({ host: address, port: z.number().int().min(1).max(65535) })
              .optional(),
          }),
        )
        .default([]),
      phones: z.array(phone).default([]),
    }),
  ),
})

export interface SipTrunk {
  name: string
  peers: string[]
  outbound: { host: string; port: number } | null
}

export interface SipPhoneAccount {
  username: string
  userId: string
  credentials: StoredCredentials
}

export interface CompanySip {
  companyId: string
  domain: string
  trunks: SipTrunk[]
  /** By username. */
  phones: Map<string, SipPhoneAccount>
}

/** Validates a parsed SIP file against the companies it configures. */
export function parseSipConfig(
  source: unknown,
  file: string,
  companies: readonly CompanyConfig[],
): CompanySip[] {
  const fail = (issues: { path: string; message: string }[]) =>
    new ConfigError(file, issues, [], 'SIP file')
  const parsed = schema.safeParse(source)
  if (!parsed.success)
    throw fail(
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k))),
        message: issue.message,
      })),
    )
  const issues: { path: string; message: string }[] = []
  const result: CompanySip[] = []
  for (const [companyId, sip] of Object.entries(parsed.data.companies)) {
    const company = companies.find((c) => c.id === companyId)
    if (!company) {
      issues.push({ path: `companies.${companyId}`, message: `no company "${companyId}"` })
      continue
    }
    const byExtension = new Map(company.users.map((u) => [u.extension, u]))
    const phones = new Map<string, SipPhoneAccount>()
    sip.phones.forEach((p, i) => {
      const user = byExtension.get(p.extension)
      const username = p.username ?? p.extension
      if (!user) {
        issues.push({
          path: `companies.${companyId}.phones[${i}].extension`,
          message: `no user with extension ${p.extension} in ${company.name}`,
        })
        return
      }
      if (phones.has(username)) {
        issues.push({
          path: `companies.${companyId}.phones[${i}].username`,
          message: `username ${username} is used twice`,
        })
        return
      }
      phones.set(username, {
        username,
        userId: user.id,
        credentials: p.password
          ? credentialsFor(username, sip.domain, p.password)
          : { md5: p.ha1Md5!.toLowerCase(), sha256: p.ha1Sha256!.toLowerCase() },
      })
    })
    result.push({
      companyId,
      domain: sip.domain,
      trunks: sip.trunks.map((t) => ({ ...t, outbound: t.outbound ?? null })),
      phones,
    })
  }
  const domains = result.map((r) => r.domain)
  domains.forEach((d, i) => {
    if (domains.indexOf(d) !== i)
      issues.push({ path: 'companies', message: `two companies share the domain ${d}` })
  })
  if (issues.length > 0) throw fail(issues)
  return result
}

export async function loadSipFile(
  path: string,
  companies: readonly CompanyConfig[],
): Promise<CompanySip[]> {
  let source: unknown
  try {
    source = parse(await readFile(path, 'utf8'))
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new ConfigError(path, [{ path: '', message }], [], 'SIP file')
  }
  return parseSipConfig(source, path, companies)
}
