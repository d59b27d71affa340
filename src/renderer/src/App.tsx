/** Placeholder until the switchboard interface arrives: says what this window is. */
export function App() {
  const inDesktopApp = window.sentral !== undefined
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 32 }}>
      <h1>Sentral</h1>
      <p>
        {inDesktopApp
          ? `Skrivebordsappen (Electron ${window.sentral?.versions.electron ?? ''}) er klar.`
          : 'Nettsentralbordet er klart.'}
      </p>
    </main>
  )
}
