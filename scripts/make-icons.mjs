#!/usr/bin/env node
// Draws the Skein logo (a ball of thread with a loose tail) procedurally and
// writes the PWA icons + favicon as PNGs. Uses only node:zlib and node:fs.
//
//   node scripts/make-icons.mjs
//
// Geometry lives in a 512×512 design space and matches static/icons/icon.svg.
// Edges are anti-aliased by supersampling each pixel on an SS×SS grid.

import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

const SS = 5; // supersampling factor per axis

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BG = hex('#faf7f2');
const TEAL = hex('#0f766e');
const STRAND = hex('#99e0d3');

// ---- logo geometry (512 design units) ------------------------------------
const BALL = { cx: 240, cy: 236, r: 150 };
const CORNER = 112; // background corner radius for the "any" icons
const STRAND_W = 15; // light strand stroke width
const GAP_W = 8; // dark gap either side of an over-strand
// Strands are arcs of circles, clipped to the ball. `over` strands get a
// dark gap so they appear to cross over the earlier ones.
const STRANDS = [
  { cx: 500, cy: 500, r: 380, over: false }, // runs lower-left -> upper-right
  { cx: 20, cy: 470, r: 262, over: true }, // three roughly parallel wraps,
  { cx: 20, cy: 470, r: 322, over: true }, // upper-left -> lower-right
  { cx: 20, cy: 470, r: 382, over: true },
];
// Loose thread tail: a cubic Bézier leaving the bottom of the ball.
const TAIL = {
  p: [
    [300, 366],
    [330, 440],
    [385, 372],
    [430, 420],
  ],
  w: 18,
};

// Flatten the tail into a polyline once.
const TAIL_PTS = [];
{
  const [p0, p1, p2, p3] = TAIL.p;
  const N = 96;
  for (let i = 0; i <= N; i++) {
    const t = i / N;
    const mt = 1 - t;
    const a = mt * mt * mt;
    const b = 3 * mt * mt * t;
    const c = 3 * mt * t * t;
    const d = t * t * t;
    TAIL_PTS.push([
      a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
      a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    ]);
  }
}
const TAIL_BOX = (() => {
  const xs = TAIL_PTS.map((p) => p[0]);
  const ys = TAIL_PTS.map((p) => p[1]);
  const m = TAIL.w;
  return [Math.min(...xs) - m, Math.min(...ys) - m, Math.max(...xs) + m, Math.max(...ys) + m];
})();

function distToTail(x, y) {
  let best = Infinity;
  for (let i = 0; i < TAIL_PTS.length - 1; i++) {
    const [ax, ay] = TAIL_PTS[i];
    const [bx, by] = TAIL_PTS[i + 1];
    const dx = bx - ax;
    const dy = by - ay;
    let t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const ex = ax + t * dx - x;
    const ey = ay + t * dy - y;
    const d = ex * ex + ey * ey;
    if (d < best) best = d;
  }
  return Math.sqrt(best);
}

function inRoundedSquare(x, y, size, r) {
  if (x < 0 || y < 0 || x > size || y > size) return false;
  const qx = Math.max(r - x, 0, x - (size - r));
  const qy = Math.max(r - y, 0, y - (size - r));
  return qx * qx + qy * qy <= r * r;
}

/** Colour of the logo at design-space point (x, y), or null when nothing is drawn. */
function logoAt(x, y) {
  let col = null;
  // tail first, so the ball covers where it joins
  if (x >= TAIL_BOX[0] && x <= TAIL_BOX[2] && y >= TAIL_BOX[1] && y <= TAIL_BOX[3]) {
    if (distToTail(x, y) <= TAIL.w / 2) col = TEAL;
  }
  const bx = x - BALL.cx;
  const by = y - BALL.cy;
  if (bx * bx + by * by <= BALL.r * BALL.r) {
    col = TEAL;
    for (const s of STRANDS) {
      const d = Math.abs(Math.hypot(x - s.cx, y - s.cy) - s.r);
      if (d <= STRAND_W / 2) col = STRAND;
      else if (s.over && d <= STRAND_W / 2 + GAP_W) col = TEAL;
    }
  }
  return col;
}

/**
 * Render an icon.
 * @param {number} size output pixels
 * @param {{maskable?: boolean}} opts maskable: full-bleed background and the
 *   logo scaled into the central 80% safe zone.
 */
function render(size, { maskable = false } = {}) {
  const D = 512;
  const k = D / size; // design units per pixel
  // Maskable: shrink the logo about the centre so it sits inside the safe zone.
  const logoScale = maskable ? 0.8 : 1;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) * k;
          const y = (py + (sy + 0.5) / SS) * k;
          let col = null;
          if (maskable || inRoundedSquare(x, y, D, CORNER)) col = BG;
          const lx = (x - D / 2) / logoScale + D / 2;
          const ly = (y - D / 2) / logoScale + D / 2;
          const lc = logoAt(lx, ly);
          if (lc) col = lc;
          if (col) {
            r += col[0];
            g += col[1];
            b += col[2];
            a += 1;
          }
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        rgba[i] = Math.round(r / a);
        rgba[i + 1] = Math.round(g / a);
        rgba[i + 2] = Math.round(b / a);
        rgba[i + 3] = Math.round((a / (SS * SS)) * 255);
      }
    }
  }
  return encodePNG(size, size, rgba);
}

// ---- minimal PNG encoder ---------------------------------------------------
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePNG(w, h, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // no interlace
  const stride = w * 4;
  const raw = Buffer.alloc((stride + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- outputs ---------------------------------------------------------------
const outputs = [
  ['static/icons/icon-192.png', 192, {}],
  ['static/icons/icon-512.png', 512, {}],
  ['static/icons/maskable-512.png', 512, { maskable: true }],
  ['static/favicon.png', 48, {}],
];
mkdirSync('static/icons', { recursive: true });
for (const [path, size, opts] of outputs) {
  const png = render(size, opts);
  writeFileSync(path, png);
  console.log(`wrote ${path} (${size}×${size}, ${png.length} bytes)`);
}
