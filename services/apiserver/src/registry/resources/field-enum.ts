import { FieldError, FieldPath, notSupported, required } from '@kubelab/apimachinery';
import { text } from './loose-json';

/**
 * A field with a fixed set of values (restartPolicy, imagePullPolicy...), as Kubernetes' switch
 * over them: "" is `Required value`, anything else not listed
 * `Unsupported value: "Alway": supported values: "Always", "OnFailure", "Never"`, in the order given.
 */
export function validateEnum(value: unknown, values: readonly string[], path: FieldPath): FieldError[] {
  const s = text(value);
  if (s === '') return [required(path)];
  return values.includes(s) ? [] : [notSupported(path, s, values)];
}
