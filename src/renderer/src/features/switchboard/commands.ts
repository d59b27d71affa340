/** Each command as the core's request: one mapping, used by the command listener. */
import type { CoreClient, Result } from '../../services/core-client'
import type { Command } from './switchboardSlice'

export async function send(core: CoreClient, c: Command): Promise<Result<unknown>> {
  switch (c.kind) {
    case 'answer':
      return core.request('call:answer', { callId: c.callId })
    case 'reject':
      return core.request('call:reject', { callId: c.callId })
    case 'pick':
      return core.request('call:pick', { callId: c.callId })
    case 'hold':
      return core.request('call:hold', { callId: c.callId })
    case 'resume':
      return core.request('call:resume', { callId: c.callId })
    case 'hangup':
      return core.request('call:hangup', { callId: c.callId })
    case 'transfer-complete':
      return core.request('call:transfer-complete', { callId: c.callId })
    case 'transfer-cancel':
      return core.request('call:transfer-cancel', { callId: c.callId })
    case 'park':
      return core.request('call:park', { callId: c.callId })
    case 'conference-create':
      return core.request('conference:create', { callId: c.callId })
    case 'conference-end':
      return core.request('conference:end', { callId: c.callId })
    case 'callback-mark':
      return core.request('callback:mark', { callId: c.callId })
    case 'transfer':
      return core.request('call:transfer', { callId: c.callId, target: c.target, mode: c.mode })
    case 'conference-add':
      return core.request('conference:add', { callId: c.callId, target: c.target })
    case 'conference-remove':
      return core.request('conference:remove', { callId: c.callId, legId: c.legId })
    case 'retrieve':
      return core.request('call:retrieve', { slot: c.slot })
    case 'dial':
      return core.request('call:dial', { to: c.to, presentedNumber: c.presentedNumber })
    case 'sms':
      return core.request('sms:send', {
        to: c.to,
        presentedNumber: c.presentedNumber,
        text: c.text,
      })
    case 'absence-set':
      return core.request('presence:set-absence', {
        reason: c.reason,
        note: c.note,
        until: c.until,
        forwardTo: c.forwardTo,
      })
    case 'absence-clear':
      return core.request('presence:clear-absence', {})
    case 'queue-login':
      return core.request('queue:login', { queueId: c.queueId })
    case 'queue-logout':
      return core.request('queue:logout', { queueId: c.queueId })
    case 'pause':
      return core.request('queue:pause', { queueId: c.queueId, reason: c.reason })
    case 'unpause':
      return core.request('queue:unpause', { queueId: c.queueId })
  }
}
