/** Which views a user may open (the core enforces the same rights on every request). */
import type { Me } from '../../../../shared/protocol'
import type { View } from './uiSlice'

export function mayOpen(me: Me | null, view: View): boolean {
  if (!me) return false
  const operator = me.role === 'operator' || me.role === 'contact'
  switch (view) {
    case 'switchboard':
      return me.role === 'contact' || me.functions.includes('switchboard')
    case 'board':
      return operator || me.functions.includes('queue-board')
    case 'queue-log':
      return operator
    case 'directory':
    case 'status':
    case 'log':
    case 'settings':
      return true
  }
}

/** Where a user lands after logging in. */
export function homeView(me: Me | null): View {
  return mayOpen(me, 'switchboard') ? 'switchboard' : 'directory'
}
