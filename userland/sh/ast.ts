// The shell's syntax tree (POSIX sh grammar, the parts we run).

/** A piece of a word: literal text or a parameter expansion. */
export type Part =
  | { kind: "lit"; text: string; quoted: boolean }
  | { kind: "param"; name: string; quoted: boolean; op?: string; arg?: Word }
  | { kind: "subst"; src: string; quoted: boolean };

export type Word = Part[];

export interface Redir {
  fd: number;
  op: "<" | ">" | ">>" | ">&" | "<&" | "<>" | ">|";
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
}

export interface Group {
  kind: "subshell" | "brace";
  list: List;
  redirs: Redir[];
  line: number;
}

export type Command = Simple | Group;

export interface Pipeline {
  bang: boolean;
  cmds: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: Array<{ op: "&&" | "||"; pipeline: Pipeline }>;
}

export interface List {
  items: Array<{ andOr: AndOr; background: boolean }>;
}
