// Test support: runs the real `rehearse` CLI as a user would (its own process group, as a
// terminal starts it), and watches only what that CLI owns: its process tree, the TCP ports
// that tree listens on, its own TMPDIR and its out dir. Other runs on the same machine are
// never looked at, so tests that check "nothing was left behind" cannot be fooled by them.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_BIN = fileURLToPath(new URL('../../bin/rehearse.mjs', import.meta.url));

/** Caches shared across runs on purpose (staged postgres binaries, tsx's compile cache): linked into each run's TMPDIR. */
const SHARED_CACHES = ['rehearse-pg-binaries', `tsx-${process.getuid?.() ?? 0}`];

export interface TrackedProcess {
  pid: number;
  /** Kernel start time (clock ticks since boot): with the pid, names one process even after pid reuse. */
  startTime: string;
  cmd: string;
}

export interface LogLine {
  t: number; // ms since the CLI was started
  text: string;
  stream: 'stdout' | 'stderr';
}

const readStat = (pid: number): { ppid: number; startTime: string; state: string } | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command may contain spaces and parentheses: fields start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, ppid: Number(rest[1]), startTime: rest[19]! };
  } catch {
    return null;
  }
};

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
};

/** Every live descendant of `root` (and root itself), from /proc. */
export function processTree(root: number): TrackedProcess[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(name));
    children.set(st.ppid, list);
  }
  const out: TrackedProcess[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const st = readStat(pid);
    if (!st) continue;
    out.push({ pid, startTime: st.startTime, cmd: cmdline(pid) });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Still running (zombies do not count: they hold no resources but a pid). */
export const isAlive = (p: TrackedProcess): boolean => {
  const st = readStat(p.pid);
  return st !== null && st.startTime === p.startTime && st.state !== 'Z';
};

const socketInodes = (pid: number): Set<string> => {
  const out = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) out.add(m[1]!);
      } catch {
        // fd closed between readdir and readlink
      }
    }
  } catch {
    // process gone
  }
  return out;
};

/** Listening TCP sockets on the machine: inode → port. */
export function listeningSockets(): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A = LISTEN
      out.set(f[9]!, parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return out;
}

export interface CliRunOptions {
  args: string[];
  /** Extra environment. */
  env?: Record<string, string>;
}

export interface CliRun {
  child: ChildProcess;
  pid: number;
  /** This run's own TMPDIR: everything the CLI puts in the temp dir lands here. */
  tmpDir: string;
  lines: LogLine[];
  /** ms since the CLI was started (the clock of LogLine.t). */
  elapsed(): number;
  output(): string;
  /** Resolves with the first line matching `re` (already seen or future). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal` to the CLI's whole process group, like a terminal's Ctrl-C, or only to its pid. */
  signal(signal: NodeJS.Signals, to?: 'group' | 'pid'): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  /** Every process of the CLI's tree seen so far (polled every 50 ms until it exits). */
  seen(): TrackedProcess[];
  /** Every TCP port the tree was seen listening on: port → socket inode. */
  ports(): Map<number, string>;
  /** What is left once it exited: live processes of its tree, its listening sockets, files in its TMPDIR. */
  leftovers(): { processes: TrackedProcess[]; listening: number[]; tmpFiles: string[] };
}

/**
 * Starts the CLI in its own session/process group with its own TMPDIR (the shared binary and
 * tsx caches are linked in, so nothing is rebuilt), and tracks its process tree until it exits.
 */
export function startCli(o: CliRunOptions): CliRun {
  const tmpDir = mkdtempSync(path.join(tmpdir(), 'rehearse-cli-tmp-'));
  chmodSync(tmpDir, 0o755); // the postgres OS user must reach its data dir inside
  for (const name of SHARED_CACHES) {
    const shared = path.join(tmpdir(), name);
    mkdirSync(shared, { recursive: true, mode: 0o755 });
    symlinkSync(shared, path.join(tmpDir, name));
  }
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI_BIN, ...o.args], {
    detached: true, // a new process group, as a shell gives a foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env, TMPDIR: tmpDir },
  });
  const pid = child.pid!;
  const lines: LogLine[] = [];
  const waiters: { re: RegExp; resolve: (l: LogLine) => void }[] = [];
  let partial = { stdout: '', stderr: '' };
  const onData = (stream: 'stdout' | 'stderr') => (b: Buffer) => {
    const text = partial[stream] + b.toString();
    const parts = text.split('\n');
    partial[stream] = parts.pop()!;
    for (const p of parts) {
      const line: LogLine = { t: Date.now() - t0, text: p, stream };
      lines.push(line);
      for (const w of [...waiters]) if (w.re.test(p)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  };
  child.stdout!.on('data', onData('stdout'));
  child.stderr!.on('data', onData('stderr'));

  const tracked = new Map<string, TrackedProcess>();
  const inodes = new Map<string, number>(); // socket inode → port
  const poll = () => {
    const listening = listeningSockets();
    for (const p of processTree(pid)) {
      tracked.set(`${p.pid}:${p.startTime}`, p);
      for (const inode of socketInodes(p.pid)) {
        const port = listening.get(inode);
        if (port !== undefined) inodes.set(inode, port);
      }
    }
  };
  poll();
  const timer = setInterval(poll, 50);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) => {
    child.once('exit', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, atMs: Date.now() - t0 });
    });
  });

  return {
    child, pid, tmpDir, lines,
    elapsed: () => Date.now() - t0,
    output: () => [...lines.map((l) => l.text), partial.stdout, partial.stderr].join('\n'),
    waitForLine: (re, timeoutMs = 120_000) => {
      const hit = lines.find((l) => re.test(l.text));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = { re, resolve: (l: LogLine) => { clearTimeout(timer); resolve(l); } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${lines.map((l) => l.text).join('\n')}`));
        }, timeoutMs);
        waiters.push(w);
        void exited.then(() => setTimeout(() => {
          if (!waiters.includes(w)) return;
          waiters.splice(waiters.indexOf(w), 1);
          clearTimeout(timer);
          reject(new Error(`the CLI exited before printing a line matching ${re}; output:\n${lines.map((l) => l.text).join('\n')}`));
        }, 100));
      });
    },
    signal: (signal, to = 'group') => {
      poll(); // the tree as it is at the moment of the signal
      try {
        process.kill(to === 'group' ? -pid : pid, signal);
      } catch {
        // already gone
      }
    },
    exited,
    seen: () => [...tracked.values()],
    ports: () => new Map([...inodes].map(([inode, port]) => [port, inode])),
    leftovers: () => {
      const listening = listeningSockets();
      return {
        processes: [...tracked.values()].filter(isAlive),
        listening: [...inodes].filter(([inode]) => listening.has(inode)).map(([, port]) => port),
        tmpFiles: readdirSync(tmpDir).filter((f) => !SHARED_CACHES.includes(f)),
      };
    },
  };
}
