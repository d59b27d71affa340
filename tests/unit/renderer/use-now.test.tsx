// @vitest-environment happy-dom
/** The shared ticking clock behind every wait and talk time on screen. */
import { act, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useNow } from '../../../src/renderer/src/components/useNow'

function Clock() {
  return <span data-testid="now">{useNow()}</span>
}

describe('useNow', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(1_000_000)
  })
  afterEach(() => vi.useRealTimers())

  it('ticks once a second', () => {
    const view = render(<Clock />)
    expect(screen.getByTestId('now').textContent).toBe('1000000')
    act(() => {
      vi.advanceTimersByTime(1000)
    })
    expect(screen.getByTestId('now').textContent).toBe('1001000')
    view.unmount()
  })

  it('shows the time now to the first component mounted after a pause, not when the last one left', () => {
    const first = render(<Clock />)
    first.unmount()
    vi.setSystemTime(1_060_000)
    render(<Clock />)
    expect(screen.getByTestId('now').textContent).toBe('1060000')
  })
})
