// true: do nothing, successfully.
export function main(_argv: string[]): number {
  return 0;
}
