import { describe, expect, it } from 'vitest'
import { buildIndex, searchDirectory, searchIndex } from '../../../src/shared/directory-search'
import type { UserView } from '../../../src/shared/model'

function user(
  id: string,
  firstName: string,
  lastName: string,
  department: string,
  extension: string,
  mobile: string | null = null,
): UserView {
  return {
    id: id,
    companyId: 'c',
    firstName,
    lastName,
    department,
    extension,
    mobile,
    direct: null,
  }
}

const users = [
  user('u1', 'Kristoffer', 'Ødegård', 'Regnskap', '201', '+4791234567'),
  user('u2', 'Christopher', 'Aas', 'Lønn', '202'),
  user('u3', 'Åse', 'Bjørnstad', 'Resepsjon', '203'),
  user('u4', 'Per', 'Olsen', 'Regnskap', '210', '+4799887766'),
  user('u5', 'Pernille', 'Haugen', 'IT', '211'),
]
const names = (list: UserView[]) => list.map((u) => u.firstName)

describe('directory search', () => {
  it('forgives æ/ae, ø/o and å/aa spellings', () => {
    expect(names(searchDirectory(users, 'odegard', 10))).toEqual(['Kristoffer'])
    expect(names(searchDirectory(users, 'oedegaard', 10))).toEqual(['Kristoffer'])
    expect(names(searchDirectory(users, 'aase', 10))).toEqual(['Åse'])
    expect(names(searchDirectory(users, 'bjornst', 10))).toEqual(['Åse'])
    expect(names(searchDirectory(users, 'LØNN', 10))).toEqual(['Christopher'])
  })

  it('lets Kristoffer and Christopher find each other', () => {
    expect(names(searchDirectory(users, 'kristofer', 10)).sort()).toEqual([
      'Christopher',
      'Kristoffer',
    ])
    expect(names(searchDirectory(users, 'christoffer', 10)).sort()).toEqual([
      'Christopher',
      'Kristoffer',
    ])
  })

  it('requires every word typed to begin a word of the entry', () => {
    expect(names(searchDirectory(users, 'per regn', 10))).toEqual(['Per'])
    expect(names(searchDirectory(users, 'per it', 10))).toEqual(['Pernille'])
    expect(searchDirectory(users, 'ristoffer', 10)).toEqual([])
  })

  it('ranks a whole-word match before a prefix match', () => {
    expect(names(searchDirectory(users, 'per', 10))).toEqual(['Per', 'Pernille'])
  })

  it('finds numbers by extension, by mobile with or without +47, and by digits inside', () => {
    // Equal scores: by last name (Haugen before Olsen).
    expect(names(searchDirectory(users, '21', 10))).toEqual(['Pernille', 'Per'])
    expect(names(searchDirectory(users, '9988', 10))).toEqual(['Per'])
    expect(names(searchDirectory(users, '+47 9123', 10))).toEqual(['Kristoffer'])
    expect(names(searchDirectory(users, '7766', 10))).toEqual(['Per'])
  })

  it('returns nothing for an empty query and honours the limit', () => {
    expect(searchDirectory(users, '  ', 10)).toEqual([])
    expect(searchDirectory(users, 'r', 2)).toHaveLength(2)
  })

  it('indexes anything that describes itself, such as queues', () => {
    const queues = [
      { id: 'q1', name: 'Sentralbord' },
      { id: 'q2', name: 'Kundeservice' },
    ]
    const index = buildIndex(queues, (q) => ({ text: q.name, numbers: [], sortKey: q.name }))
    expect(searchIndex(index, 'kundes', 5).map((q) => q.id)).toEqual(['q2'])
    expect(searchIndex(index, 'sentral', 5).map((q) => q.id)).toEqual(['q1'])
  })
})
