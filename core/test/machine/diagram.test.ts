/**
 * The README's Mermaid diagram, events table and profile table must describe the machine that actually runs: the
 * states (top level, regions and their states), the transitions, every event and every rules-profile field.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultProfile } from '../../src/model.ts';
import { commandTypes, systemPayloads } from '../../src/protocol/commands.ts';
import { sessionMachine } from '../../src/machine/session.machine.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

interface Node {
  key: string;
  type: string;
  path: string[];
  states?: Record<string, Node>;
  on?: Record<string, { target?: Node[] }[]>;
}

/** Every state of the machine as a dotted path; history nodes are pseudo-states and listed apart. */
function machineStates(): { states: Set<string>; history: Set<string>; edges: Set<string> } {
  const states = new Set<string>();
  const history = new Set<string>();
  const edges = new Set<string>();
  const visit = (node: Node) => {
    for (const child of Object.values(node.states ?? {})) {
      const path = child.path.join('.');
      if (child.type === 'history') {
        history.add(path);
        continue;
      }
      states.add(path);
      for (const [event, transitions] of Object.entries(child.on ?? {})) {
        for (const t of transitions) {
          // Entering a history node enters its parent (the diagram draws the arrow to the parent and names H*).
          const targets = (t.target ?? []).map((n) => (n.type === 'history' ? n.path.slice(0, -1) : n.path).join('.'));
          if (targets.length) for (const target of targets) edges.add(`${path} --${event}--> ${target}`);
          // Events that stay put are drawn as self-loops inside the regions only (paperwork is in the events table).
          else if (child.path.length >= 3) edges.add(`${path} --${event}--> ${path}`);
        }
      }
      visit(child);
    }
  };
  visit(sessionMachine.root as unknown as Node);
  return { states, history, edges };
}

/** A small parser for the subset of stateDiagram-v2 the README uses. */
function diagramStates(source: string): { states: Set<string>; edges: Set<string>; text: string } {
  const block = /```mermaid\n(stateDiagram-v2[\s\S]*?)```/.exec(source);
  if (!block) throw new Error('README.md has no ```mermaid stateDiagram-v2 block');
  const text = block[1]!;
  const labels = new Map<string, string>();
  const pathOf = new Map<string, string>();
  const stack: string[] = [];
  const states = new Set<string>();
  const rawEdges: { from: string; to: string; label: string }[] = [];
  const see = (id: string) => {
    if (id === '[*]' || pathOf.has(id)) return;
    const path = [...stack.map((s) => labels.get(s) ?? s), labels.get(id) ?? id];
    pathOf.set(id, path.join('.'));
  };
  for (const raw of text.split('\n').slice(1)) {
    const line = raw.replace(/%%.*$/, '').trim();
    if (!line || line === '--' || line.startsWith('note ') || line.startsWith('direction ')) continue;
    let m: RegExpExecArray | null;
    if ((m = /^state\s+"([^"]+)"\s+as\s+([\w]+)$/.exec(line))) {
      labels.set(m[2]!, m[1]!);
      see(m[2]!);
    } else if ((m = /^state\s+([\w]+)\s*\{$/.exec(line))) {
      see(m[1]!);
      stack.push(m[1]!);
    } else if (line === '}') {
      stack.pop();
    } else if ((m = /^state\s+([\w]+)$/.exec(line))) {
      see(m[1]!);
    } else if ((m = /^(\[\*\]|[\w]+)\s*-->\s*(\[\*\]|[\w]+)\s*(?::\s*(.*))?$/.exec(line))) {
      see(m[1]!);
      see(m[2]!);
      rawEdges.push({ from: m[1]!, to: m[2]!, label: m[3] ?? '' });
    } else {
      throw new Error(`diagram line not understood: ${line}`);
    }
  }
  for (const p of pathOf.values()) states.add(p);
  const edges = new Set<string>();
  for (const e of rawEdges) {
    if (e.from === '[*]' || e.to === '[*]') continue;
    for (const event of e.label.match(/\b[a-z]+\.[A-Za-z]+\b/g) ?? []) edges.add(`${pathOf.get(e.from)} --${event}--> ${pathOf.get(e.to)}`);
  }
  return { states, edges, text };
}

describe('[DIAG] the README describes the machine', () => {
  const machine = machineStates();
  const diagram = diagramStates(readme);

  it('[DIAG-1] the machine has the documented shape (sanity of the walk)', () => {
    expect(machine.states).toContain('inProgress.voting.counted');
    expect(machine.states).toContain('recess');
    expect([...machine.history]).toEqual(['inProgress.resume']);
  });

  it('[DIAG-2] the Mermaid diagram has exactly the machine’s states, regions and region states', () => {
    expect([...diagram.states].sort()).toEqual([...machine.states].sort());
  });

  it('[DIAG-3] the Mermaid diagram has exactly the machine’s transitions', () => {
    expect([...diagram.edges].sort()).toEqual([...machine.edges].sort());
  });

  it('[DIAG-4] every history node is named in the diagram as H*', () => {
    for (const h of machine.history) {
      const key = h.split('.').at(-1)!;
      expect(diagram.text).toMatch(new RegExp(`H\\*[^\\n]*\\b${key}\\b|\\b${key}\\b[^\\n]*H\\*`));
    }
  });

  it('[DIAG-5] the events table lists every command and system event', () => {
    const section = readme.slice(readme.indexOf('## 2.'), readme.indexOf('## 3.'));
    const rows = new Set([...section.matchAll(/^\| `([a-zA-Z]+\.[a-zA-Z]+)` \|/gm)].map((m) => m[1]));
    const events = [...commandTypes, ...Object.keys(systemPayloads)];
    expect([...rows].sort()).toEqual([...events].sort());
  });

  it('[DIAG-6] the profile table lists every rules-profile field with its default', () => {
    const rows = new Map([...readme.matchAll(/^\| `([a-zA-Z.]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
    const fields: [string, unknown][] = [];
    for (const [k, v] of Object.entries(defaultProfile())) {
      if (typeof v === 'object' && v !== null) for (const [k2, v2] of Object.entries(v)) fields.push([`${k}.${k2}`, v2]);
      else fields.push([k, v]);
    }
    for (const [field, value] of fields) {
      expect(rows.has(field), `profile field ${field} is missing from README.md`).toBe(true);
      expect(rows.get(field)!.replace(/`/g, '').replace(/ s$/, ''), field).toBe(String(value));
    }
  });

  it('[DIAG-7] the parser refuses what it does not understand (so the check cannot silently pass)', () => {
    expect(() => diagramStates('```mermaid\nstateDiagram-v2\n  a -> b\n```')).toThrow(/not understood/);
    expect(() => diagramStates('no diagram')).toThrow(/no ```mermaid/);
    const tiny = diagramStates('```mermaid\nstateDiagram-v2\n  [*] --> a\n  state b {\n    state "x" as b_x\n    [*] --> b_x\n  }\n  a --> b : go.now\n```');
    expect([...tiny.states].sort()).toEqual(['a', 'b', 'b.x']);
    expect([...tiny.edges]).toEqual(['a --go.now--> b']);
  });
});
