import { expect, it } from 'vitest'
import { forEachDatabase } from '../../helpers/databases'
import { companySettings, freshCompanyId, session, t0, tokenHash, userRecord } from './fixtures'

forEachDatabase('accounts', (db) => {
  async function companyWith(...names: string[]) {
    const co = freshCompanyId()
    await db.store.saveCompany(companySettings(co))
    const users = names.map((name) => userRecord(co, name))
    for (const user of users) await db.store.saveUser(user)
    return { co, users }
  }

  it('finds a credential by username whatever its case, and by user id', async () => {
    const { co, users } = await companyWith('kari')
    const kari = users[0]
    if (!kari) throw new Error('fixture')
    await db.store.setPassword(kari.id, '$argon2id$one', t0)
    const expected = {
      userId: kari.id,
      companyId: co,
      username: kari.username.toLowerCase(),
      passwordHash: '$argon2id$one',
      passwordChangedAt: t0,
    }
    expect(await db.store.getCredentialByUsername(kari.username.toUpperCase())).toEqual(expected)
    expect(await db.store.getCredentialByUsername(kari.username)).toEqual(expected)
    expect(await db.store.getCredential(kari.id)).toEqual(expected)
    expect(await db.store.getCredentialByUsername(`nobody@${co}`)).toBeNull()
    expect(await db.store.getCredential(`${co}:nobody`)).toBeNull()
  })

  it('a user without a password has no credential; a password change replaces the hash', async () => {
    const { users } = await companyWith('ola', 'per')
    const [ola, per] = users
    if (!ola || !per) throw new Error('fixture')
    expect(await db.store.getCredential(ola.id)).toBeNull()
    await db.store.setPassword(ola.id, 'old', t0)
    await db.store.setPassword(per.id, 'pers', t0)
    await db.store.setPassword(ola.id, 'new', t0 + 5_000)
    expect(await db.store.getCredential(ola.id)).toMatchObject({
      passwordHash: 'new',
      passwordChangedAt: t0 + 5_000,
    })
    expect(await db.store.getCredential(per.id)).toMatchObject({
      passwordHash: 'pers',
      passwordChangedAt: t0,
    })
  })

  it('refuses a password for a user that does not exist', async () => {
    await expect(db.store.setPassword(`${freshCompanyId()}:ghost`, 'h', t0)).rejects.toThrow()
  })

  it('a renamed user is found by the new username only', async () => {
    const { users } = await companyWith('siv')
    const siv = users[0]
    if (!siv) throw new Error('fixture')
    await db.store.setPassword(siv.id, 'h', t0)
    await db.store.saveUser({ ...siv, username: `Siv.Ny@${siv.companyId}` })
    expect(await db.store.getCredentialByUsername(siv.username)).toBeNull()
    expect(await db.store.getCredentialByUsername(`siv.ny@${siv.companyId}`)).toMatchObject({
      userId: siv.id,
      username: `siv.ny@${siv.companyId}`,
    })
  })

  it('sessions: create, get, touch, delete', async () => {
    const { co, users } = await companyWith('kari', 'ola')
    const [kari, ola] = users
    if (!kari || !ola) throw new Error('fixture')
    const one = session(tokenHash(), co, kari.id)
    const two = session(tokenHash(), co, ola.id, { expiresAt: t0 + 1_000 })
    await db.store.createSession(one)
    await db.store.createSession(two)
    expect(await db.store.getSession(one.tokenHash)).toEqual(one)
    expect(await db.store.getSession(two.tokenHash)).toEqual(two)
    await db.store.touchSession(one.tokenHash, t0 + 60_000)
    expect(await db.store.getSession(one.tokenHash)).toEqual({ ...one, lastSeenAt: t0 + 60_000 })
    expect(await db.store.getSession(two.tokenHash)).toEqual(two)
    await db.store.deleteSession(one.tokenHash)
    expect(await db.store.getSession(one.tokenHash)).toBeNull()
    expect(await db.store.getSession(two.tokenHash)).toEqual(two)
    expect(await db.store.getSession(tokenHash())).toBeNull()
  })

  it('refuses a second session with the same token hash', async () => {
    const { co, users } = await companyWith('kari')
    const kari = users[0]
    if (!kari) throw new Error('fixture')
    const one = session(tokenHash(), co, kari.id)
    await db.store.createSession(one)
    await expect(db.store.createSession({ ...one, createdAt: t0 + 1 })).rejects.toThrow()
    expect(await db.store.getSession(one.tokenHash)).toEqual(one)
  })

  it("deletes every session of one user, and counts them, leaving others' alone", async () => {
    const { co, users } = await companyWith('kari', 'ola')
    const [kari, ola] = users
    if (!kari || !ola) throw new Error('fixture')
    const karis = [tokenHash(), tokenHash(), tokenHash()]
    const olas = tokenHash()
    for (const token of karis) await db.store.createSession(session(token, co, kari.id))
    await db.store.createSession(session(olas, co, ola.id))
    expect(await db.store.deleteSessionsOfUser(kari.id)).toBe(3)
    for (const token of karis) expect(await db.store.getSession(token)).toBeNull()
    expect(await db.store.getSession(olas)).not.toBeNull()
    expect(await db.store.deleteSessionsOfUser(kari.id)).toBe(0)
  })
})
