/**
 * Kubernetes' `$(VAR)` expansion of env values, command and args: `$(NAME)` becomes the first
 * value found in `contexts` (left as `$(NAME)` if none has it), `$$` is an escaped `$`, and any
 * other `$` stays as written.
 */
export function expand(input: string, ...contexts: Array<Readonly<Record<string, string>>>): string {
  const lookup = (name: string): string => {
    for (const vars of contexts) if (Object.prototype.hasOwnProperty.call(vars, name)) return vars[name]!;
    return `$(${name})`;
  };
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') out += '$';
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close >= 0) {
        out += lookup(rest.slice(1, close));
        advance = close + 1;
      } else out += '$(';
    } else out += `$${rest[0]}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}
