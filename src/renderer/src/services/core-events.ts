/**
 * What the core and the connection tell the interface, as past-tense actions. Only
 * services/core-client.ts dispatches these; any slice may react to them.
 */
import { createAction } from '@reduxjs/toolkit'
import type { StateDelta, StateSnapshot } from '../../../shared/protocol'

export const connectionAttempted = createAction<{ at: number; attempt?: number }>(
  'core/connectionAttempted',
)
export const connectionEstablished = createAction<{ at: number; recovered: boolean }>(
  'core/connectionEstablished',
)
export const connectionLost = createAction<{ at: number; reason: string }>('core/connectionLost')
export const connectionFailed = createAction<{ at: number; message: string }>(
  'core/connectionFailed',
)
export const snapshotReceived = createAction<{ snapshot: StateSnapshot; receivedAt: number }>(
  'core/snapshotReceived',
)
export const deltaReceived = createAction<{ delta: StateDelta; receivedAt: number }>(
  'core/deltaReceived',
)
export type SessionEndReason = 'logout' | 'expired' | 'password-changed' | 'blocked' | 'deleted'
export const sessionEnded = createAction<{ reason: SessionEndReason }>('core/sessionEnded')
