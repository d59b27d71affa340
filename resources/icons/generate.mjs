// Draws the app and tray icons as PNG files from the shapes in icon.svg (a rounded square with
// an S of two arcs), without an image library: each pixel's coverage comes from a signed
// distance to the shapes. Run `node resources/icons/generate.mjs` after changing the design;
// the PNG files are committed, so packaging does not need this script.
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32, deflateSync } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))

// The design, in units of the icon's side (icon.svg uses the same numbers × 1024).
const background = { rgb: [0x1d, 0x4e, 0x89], margin: 0.04, radius: 0.22 }
const letter = { rgb: [0xff, 0xff, 0xff], r: 0.15, halfWidth: 0.055 }
const badge = { rgb: [0xd9, 0x30, 0x25], ring: [0xff, 0xff, 0xff], x: 0.76, y: 0.24, r: 0.24 }

function roundedSquare(x, y) {
  const half = 0.5 - background.margin
  const qx = Math.abs(x - 0.5) - half + background.radius
  const qy = Math.abs(y - 0.5) - half + background.radius
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0))
  return outside + Math.min(Math.max(qx, qy), 0) - background.radius
}

/** An arc of the circle around (cx, cy) without one quadrant, with round ends. */
function arc(x, y, cx, cy, missing, ends) {
  const dx = x - cx
  const dy = y - cy
  const inMissing = missing(dx, dy)
  const d = inMissing
    ? Math.min(...ends.map(([ex, ey]) => Math.hypot(x - ex, y - ey)))
    : Math.abs(Math.hypot(dx, dy) - letter.r)
  return d - letter.halfWidth
}

function letterS(x, y) {
  const { r } = letter
  const upper = arc(x, y, 0.5, 0.5 - r, (dx, dy) => dx > 0 && dy > 0, [
    [0.5 + r, 0.5 - r],
    [0.5, 0.5],
  ])
  const lower = arc(x, y, 0.5, 0.5 + r, (dx, dy) => dx < 0 && dy < 0, [
    [0.5, 0.5],
    [0.5 - r, 0.5 + r],
  ])
  return Math.min(upper, lower)
}

function circle(x, y, cx, cy, r) {
  return Math.hypot(x - cx, y - cy) - r
}

/** kind: 'icon', 'badge' (the icon with a red dot) or 'dot' (the dot alone). */
function draw(size, kind) {
  const pixels = Buffer.alloc(size * size * 4)
  const coverage = (distance) => Math.min(Math.max(0.5 - distance * size, 0), 1)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) / size
      const y = (py + 0.5) / size
      const layers =
        kind === 'dot'
          ? [
              [badge.ring, coverage(circle(x, y, 0.5, 0.5, 0.45))],
              [badge.rgb, coverage(circle(x, y, 0.5, 0.5, 0.34))],
            ]
          : [
              [background.rgb, coverage(roundedSquare(x, y))],
              [letter.rgb, coverage(letterS(x, y))],
            ]
      if (kind === 'badge') {
        layers.push([badge.ring, coverage(circle(x, y, badge.x, badge.y, badge.r))])
        layers.push([badge.rgb, coverage(circle(x, y, badge.x, badge.y, badge.r * 0.75))])
      }
      let [r, g, b, a] = [0, 0, 0, 0]
      for (const [[lr, lg, lb], la] of layers) {
        // "Over" compositing with straight (not premultiplied) alpha.
        const outA = la + a * (1 - la)
        if (outA > 0) {
          r = (lr * la + r * a * (1 - la)) / outA
          g = (lg * la + g * a * (1 - la)) / outA
          b = (lb * la + b * a * (1 - la)) / outA
        }
        a = outA
      }
      pixels.set([r, g, b, a * 255].map(Math.round), (py * size + px) * 4)
    }
  }
  return png(size, pixels)
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

function png(size, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bits per channel
  header[9] = 6 // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0 // no filter
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const outputs = [
  // electron-builder makes the .icns and .ico from the largest; Linux uses the sizes as they are.
  ['icon.png', 1024, 'icon'],
  ...[16, 32, 48, 64, 128, 256, 512].map((n) => [`${n}x${n}.png`, n, 'icon']),
  // Tray: 16 px at scale 1, @2x for high-density screens (nativeImage picks it up by name).
  ['tray.png', 16, 'icon'],
  ['tray@2x.png', 32, 'icon'],
  ['tray-waiting.png', 16, 'badge'],
  ['tray-waiting@2x.png', 32, 'badge'],
  // Windows: the dot over the taskbar button while callers wait.
  ['overlay.png', 16, 'dot'],
  ['overlay@2x.png', 32, 'dot'],
]
for (const [name, size, kind] of outputs) {
  writeFileSync(join(here, name), draw(size, kind))
}
process.stdout.write(`wrote ${outputs.length} icons to ${here}\n`)
