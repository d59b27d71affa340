import { describe, expect, it } from 'vitest'
import { insertAt, removeAt } from '../../../src/core/domain/lists'

const numbers = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('removeAt', () => {
  it('removes the one element at any index and keeps the order of the rest', () => {
    // Short and long lists (a long list's front is removed by moving its start), every index.
    for (const length of [1, 2, 3, 4, 7, 150, 401]) {
      for (let index = 0; index < length; index++) {
        const list = numbers(length)
        const expected = numbers(length)
        expected.splice(index, 1)
        removeAt(list, index)
        expect(list).toEqual(expected)
      }
    }
  })

  it('keeps working on a list that lost its front many times and grew again', () => {
    const list: number[] = []
    const model: number[] = []
    let next = 0
    for (let round = 0; round < 2000; round++) {
      list.push(next)
      model.push(next)
      next++
      if (round % 3 === 2) {
        const index = round % 7 === 0 ? list.length - 1 : Math.min(1, list.length - 1)
        removeAt(list, index)
        model.splice(index, 1)
      }
    }
    expect(list).toEqual(model)
  })
})

describe('insertAt', () => {
  it('inserts at any index, front and end included', () => {
    for (const length of [0, 1, 5, 150]) {
      for (let index = 0; index <= length; index++) {
        const list = numbers(length)
        const expected = numbers(length)
        expected.splice(index, 0, -1)
        insertAt(list, index, -1)
        expect(list).toEqual(expected)
      }
    }
  })
})
