// The tty line discipline on its own: Linux's canonical-mode limits and the
// saved copy a restarted tty server starts from.
import assert from "node:assert/strict";
import {
  L,
  LineDiscipline,
  loadDiscipline,
  saveDiscipline,
  TTY_BUF_BYTES,
} from "../servers/tty/line_discipline.ts";
import { DISCIPLINE_STATE_BYTES, DisciplineState } from "../servers/tty/discipline_state.ts";
import { OPENS_BYTES } from "../servers/tty/opens.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: number[]) => new TextDecoder().decode(new Uint8Array(b));

Deno.test("tty discipline: a canonical line stops growing at 4095 bytes, and its newline still ends it", () => {
  const ld = new LineDiscipline();
  ld.input(new Uint8Array(5000).fill(0x61));
  assert.equal(ld.hasInput(), false);
  ld.input(bytes("\n"));
  const got = ld.take(10_000);
  assert.equal(got.length, TTY_BUF_BYTES); // 4095 'a' and the newline
  assert.equal(got[got.length - 1], 0x0a);
});

Deno.test("tty discipline: non-canonical input is full at TTY_BUF_BYTES unread bytes", () => {
  const ld = new LineDiscipline();
  ld.termios = { ...ld.termios, lflag: ld.termios.lflag & ~L.ICANON };
  ld.input(new Uint8Array(TTY_BUF_BYTES - 1));
  assert.equal(ld.full(), false);
  ld.input(new Uint8Array(1));
  assert.equal(ld.full(), true);
  ld.take(1);
  assert.equal(ld.full(), false);
});

Deno.test("tty discipline: saved and loaded, it keeps modes, complete lines, the edited line and EOFs", () => {
  const ld = new LineDiscipline();
  ld.input(bytes("one\ntwo\n\x04partial"));
  const back = loadDiscipline(saveDiscipline(ld));
  assert.equal(text(back.take(100)), "one\n");
  assert.equal(text(back.take(100)), "two\n");
  assert.deepEqual(back.take(100), []); // the ^D on an empty line: end of file
  assert.equal(back.hasInput(), false);
  back.input(bytes(" line\n"));
  assert.equal(text(back.take(100)), "partial line\n");

  const raw = new LineDiscipline();
  raw.termios = { ...raw.termios, lflag: 0 };
  raw.input(bytes("xyz"));
  raw.hangup();
  const rawBack = loadDiscipline(saveDiscipline(raw));
  assert.equal(rawBack.canonical, false);
  assert.equal(rawBack.hungUp, true);
  assert.equal(text(rawBack.take(2)), "xy");
});

Deno.test("tty discipline: the state buffer keeps the last whole save; damage gives a fresh discipline", () => {
  const sab = new SharedArrayBuffer(OPENS_BYTES + DISCIPLINE_STATE_BYTES);
  const st = new DisciplineState(sab);
  assert.equal(st.load().hasInput(), false); // nothing saved yet
  const ld = new LineDiscipline();
  ld.input(bytes("first\n"));
  st.save(ld);
  ld.input(bytes("second\n"));
  st.save(ld);
  const back = new DisciplineState(sab).load();
  assert.equal(text(back.take(100)), "first\n");
  assert.equal(text(back.take(100)), "second\n");
  // A length that cannot be: the copy is ignored, not trusted.
  const dv = new DataView(sab, OPENS_BYTES);
  const current = new Int32Array(sab, OPENS_BYTES, 1)[0];
  const copyAt = 8 + ((current & 1) === 1 ? 0 : (DISCIPLINE_STATE_BYTES - 8) / 2);
  dv.setUint32(copyAt, 0xffff_ffff, true);
  assert.equal(new DisciplineState(sab).load().hasInput(), false);
  dv.setUint32(copyAt, 60, true); // plausible length, inconsistent counts
  assert.equal(new DisciplineState(sab).load().hasInput(), false);
});
