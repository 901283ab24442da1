import { FieldError, FieldPath, invalid, notSupported, Quantity, QuantityParseError } from '@kubelab/apimachinery';

/** A container's `resources`: requests and limits of cpu, memory, ephemeral-storage. */
export interface Resources {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}

const STANDARD = ['cpu', 'memory', 'ephemeral-storage', 'pods'];

/**
 * Kubernetes' ValidateResourceRequirements, for what the labs use: each amount is a quantity
 * (`10m`, `64Mi`), not negative, a standard or domain-qualified resource name, and a request
 * is not above its limit (`must be less than or equal to cpu limit of 500m`).
 */
export function validateResources(resources: Resources | undefined, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const parsed: Record<'requests' | 'limits', Map<string, Quantity>> = { requests: new Map(), limits: new Map() };
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, raw] of Object.entries(resources?.[kind] ?? {})) {
      const at = path.child(kind).key(name);
      if (!STANDARD.includes(name) && !name.includes('/')) {
        errors.push(notSupported(at, name, STANDARD));
        continue;
      }
      let quantity: Quantity;
      try {
        quantity = Quantity.parse(String(raw));
      } catch (error) {
        if (!(error instanceof QuantityParseError)) throw error;
        errors.push(invalid(at, raw, error.message));
        continue;
      }
      if (quantity.cmp(Quantity.parse('0')) < 0) errors.push(invalid(at, String(raw), 'must be greater than or equal to 0'));
      parsed[kind].set(name, quantity);
    }
  }
  for (const [name, request] of parsed.requests) {
    const limit = parsed.limits.get(name);
    if (limit && request.cmp(limit) > 0) errors.push(invalid(path.child('requests').key(name), request.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`));
  }
  return errors;
}

/**
 * Amounts as the apiserver stores and returns them, in Kubernetes' canonical form (`0.5` cpu is
 * `500m`). Invalid amounts are left for validation to report.
 */
export function canonicalizeResources(resources: Resources | undefined): void {
  for (const kind of ['limits', 'requests'] as const) {
    const amounts = resources?.[kind];
    if (!amounts) continue;
    for (const [name, raw] of Object.entries(amounts)) {
      const quantity = Quantity.tryParse(String(raw));
      if (quantity) amounts[name] = quantity.toString();
    }
  }
}
