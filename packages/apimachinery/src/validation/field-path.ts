/**
 * A path to a field inside an API object, printed as Kubernetes prints it in
 * validation errors: `spec.containers[0].image`, `metadata.labels[app]`
 * (field.Path in k8s.io/apimachinery/pkg/util/validation/field).
 */
export class FieldPath {
  private constructor(
    private readonly parent: FieldPath | null,
    /** The field name of this element; empty for an index or key element. */
    private readonly name: string,
    /** The index or map key of this element; used when `name` is empty. */
    private readonly subscript: string,
  ) {}

  /** A root path `name` with `moreNames` as children: `FieldPath.of('spec', 'containers')`. */
  static of(name: string, ...moreNames: string[]): FieldPath {
    let p = new FieldPath(null, name, '');
    for (const n of moreNames) p = new FieldPath(p, n, '');
    return p;
  }

  /** A child field: `spec` + `child('template', 'spec')` -> `spec.template.spec`. */
  child(name: string, ...moreNames: string[]): FieldPath {
    let p = new FieldPath(this, name, '');
    for (const n of moreNames) p = new FieldPath(p, n, '');
    return p;
  }

  /** A list element: `containers` + `index(0)` -> `containers[0]`. */
  index(i: number): FieldPath {
    return new FieldPath(this, '', String(i));
  }

  /** A map entry: `labels` + `key('app')` -> `labels[app]` (the key is not quoted). */
  key(k: string): FieldPath {
    return new FieldPath(this, '', k);
  }

  /** The first element of this path. */
  root(): FieldPath {
    let p: FieldPath = this;
    while (p.parent) p = p.parent;
    return p;
  }

  toString(): string {
    const elems: FieldPath[] = [];
    for (let p: FieldPath | null = this; p; p = p.parent) elems.push(p);
    let out = '';
    for (let i = elems.length - 1; i >= 0; i--) {
      const p = elems[i]!;
      if (p.parent && p.name.length > 0) out += '.';
      out += p.name.length > 0 ? p.name : `[${p.subscript}]`;
    }
    return out;
  }
}

/**
 * How Kubernetes prints a path that may be absent: a nil *field.Path prints as
 * `<nil>` (seen, for one, in label selector key errors).
 */
export function pathString(path: FieldPath | null | undefined): string {
  return path ? path.toString() : '<nil>';
}

/**
 * A child of a path that may be absent: on a nil path Kubernetes' Child()
 * starts a new root, so `childOf(null, 'key')` is `key`.
 */
export function childOf(path: FieldPath | null | undefined, name: string, ...moreNames: string[]): FieldPath {
  return path ? path.child(name, ...moreNames) : FieldPath.of(name, ...moreNames);
}
