/**
 * Today's figures per queue for the queue board (answered, unanswered, service level), as the
 * core computes them from its queue log. Live figures (waiting, agents, longest wait) come from
 * the live copy and tick without asking the core.
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { QueueId } from '../../../../shared/ids'
import type { QueueStatistics } from '../../../../shared/protocol'
import { sessionClosed } from '../session/sessionSlice'

export interface BoardState {
  today: Record<QueueId, QueueStatistics>
  /** The core's instant the figures were computed for. */
  fetchedAt: number | null
  status: 'idle' | 'loading' | 'failed'
}

const initialState: BoardState = { today: {}, fetchedAt: null, status: 'idle' }

export const boardSlice = createSlice({
  name: 'board',
  initialState,
  reducers: {
    statisticsRequested(state) {
      if (state.status !== 'loading') state.status = 'loading'
    },
    statisticsReceived(state, action: PayloadAction<{ stats: QueueStatistics[]; at: number }>) {
      state.today = Object.fromEntries(action.payload.stats.map((s) => [s.queueId, s]))
      state.fetchedAt = action.payload.at
      state.status = 'idle'
    },
    statisticsFailed(state) {
      state.status = 'failed'
    },
  },
  extraReducers: (builder) => {
    builder.addMatcher(sessionClosed, () => initialState)
  },
})

export const { statisticsRequested, statisticsReceived, statisticsFailed } = boardSlice.actions
