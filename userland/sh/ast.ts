// The shell's syntax tree (the POSIX sh grammar).
//
// Commands keep their source text (`text`): a command that must run in a
// child shell (a subshell, a background job, a compound command inside a
// pipeline) is handed to `sh -c` as the text the user wrote, since there is
// no fork to copy this shell with.

/** A piece of a word: literal text, a parameter, a command substitution or an arithmetic expansion. */
export type Part =
  | { kind: "lit"; text: string; quoted: boolean }
  | { kind: "param"; name: string; quoted: boolean; op?: string; arg?: Word }
  | { kind: "subst"; src: string; quoted: boolean }
  | { kind: "arith"; expr: Word; quoted: boolean };

export type Word = Part[];

export interface Redir {
  fd: number;
  op: "<" | ">" | ">>" | ">&" | "<&" | "<>" | ">|" | "<<";
  /** The file, fd number, or (for "<<") the here-document's body. */
  target: Word;
}

export interface Assign {
  name: string;
  value: Word;
}

export interface Simple {
  kind: "simple";
  assigns: Assign[];
  words: Word[];
  redirs: Redir[];
  line: number;
  text: string;
}

/** ( list ) runs in a child shell; { list; } in this one. */
export interface Group {
  kind: "subshell" | "brace";
  list: List;
  /** The list's own text (what a child shell runs for a subshell). */
  listText: string;
  redirs: Redir[];
  line: number;
  text: string;
}

export interface If {
  kind: "if";
  clauses: Array<{ cond: List; body: List }>;
  orElse?: List;
  redirs: Redir[];
  line: number;
  text: string;
}

export interface Loop {
  kind: "while" | "until";
  cond: List;
  body: List;
  redirs: Redir[];
  line: number;
  text: string;
}

export interface For {
  kind: "for";
  name: string;
  /** undefined: "$@". */
  words?: Word[];
  body: List;
  redirs: Redir[];
  line: number;
  text: string;
}

export interface Case {
  kind: "case";
  word: Word;
  items: Array<{ patterns: Word[]; body: List }>;
  redirs: Redir[];
  line: number;
  text: string;
}

/** name() compound-command */
export interface FuncDef {
  kind: "func";
  name: string;
  body: Command;
  line: number;
  text: string;
}

export type Command = Simple | Group | If | Loop | For | Case | FuncDef;

export interface Pipeline {
  bang: boolean;
  cmds: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: Array<{ op: "&&" | "||"; pipeline: Pipeline }>;
  text: string;
}

export interface List {
  items: Array<{ andOr: AndOr; background: boolean }>;
}
