import { createAction } from '@reduxjs/toolkit'

/** The interface has loaded: settings are read and a kept session is tried. */
export const appStarted = createAction('app/started')
