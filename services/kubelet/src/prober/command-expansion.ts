import type { EnvVar } from './probe-spec';

/**
 * An exec probe's command with `$(VAR)` references to the container's env expanded
 * (kubecontainer.ExpandContainerCommandOnlyStatic): only the values written in the spec count
 * (a valueFrom variable expands to ""), an unknown name stays as written, `$$` is a literal `$`.
 */
export function expandContainerCommandOnlyStatic(command: string[], env: EnvVar[] | undefined): string[] {
  const mapping = new Map<string, string>();
  for (const variable of env ?? []) mapping.set(variable.name, variable.value ?? '');
  return command.map((arg) => expand(arg, mapping));
}

function expand(input: string, mapping: Map<string, string>): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += mapping.has(name) ? mapping.get(name) : `$(${name})`;
      i = close + 1;
    } else {
      out += ch + next;
      i += 2;
    }
  }
  return out;
}
