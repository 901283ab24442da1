import { FieldError, FieldPath, invalid, isValidLabelValue, notSupported, validateLabelName } from '@kubelab/apimachinery';
import { isSet, records, text } from './loose-json';

/** The operators a toleration may use, and the taint effects, in Kubernetes' order. */
const OPERATORS = ['Equal', 'Exists'];
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/**
 * A pod's tolerations, as Kubernetes 1.32's ValidateTolerations: a key is a label name (none
 * only with Exists, which matches every taint), Exists has no value, Equal a label value,
 * tolerationSeconds only with the NoExecute effect.
 */
export function validateTolerations(tolerations: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  records(tolerations).forEach((toleration, i) => {
    const at = path.index(i);
    const key = text(toleration.key);
    const operator = text(toleration.operator);
    const value = text(toleration.value);
    const effect = text(toleration.effect);
    if (key !== '') errors.push(...validateLabelName(key, at.child('key')));
    if (key === '' && operator !== 'Exists') {
      errors.push(invalid(at.child('operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (isSet(toleration.tolerationSeconds) && effect !== 'NoExecute') {
      errors.push(invalid(at.child('effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (operator) {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(value);
        if (msgs.length > 0) errors.push(invalid(at.child('operator'), value, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (value !== '') errors.push(invalid(at.child('operator'), value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errors.push(notSupported(at.child('operator'), operator, OPERATORS));
    }
    if (effect !== '' && !EFFECTS.includes(effect)) errors.push(notSupported(at.child('effect'), effect, EFFECTS));
  });
  return errors;
}
