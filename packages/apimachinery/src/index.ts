export {};
// Patches: JSON Patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch, as the apiserver applies them.
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS, type JsonPatchOperation } from './patch/json-patch';
export { applyMergePatch } from './patch/merge-patch';
export { strategicMergePatch, strategicMergePatchSupported } from './patch/strategic-merge-patch';
export { PATCH_RULES, patchRuleFor, type FieldRule } from './patch/patch-meta';
export { PatchError, type PatchErrorReason } from './patch/patch-error';
export type { JsonObject, JsonValue } from './patch/json-value';
export { jsonTypeWord } from './patch/json-value';
// Validation and errors: field paths and field errors, Status builders, names, labels, selectors, ports.
export * from './validation/field-path';
export * from './errors/go-format';
export * from './errors/field-error';
export * from './errors/status';
export * from './errors/api-error';
export * from './validation/messages';
export * from './validation/names';
export * from './validation/labels';
export * from './validation/label-selector';
export * from './validation/label-selector-parser';
export * from './validation/label-selector-object';
export { compileLabelSelector, type LabelsMatcher } from './validation/label-selector-matcher';
export * from './validation/field-selector';
export * from './validation/ports';
// Quantities: resource.Quantity and the ways kubectl prints amounts.
export * from './quantity/parse';
export * from './quantity/quantity';
export * from './quantity/format';
// The shape of every object.
export type { KubeObject, ObjectMeta, OwnerReference } from './object/object';
// Server-side apply: field sets (managedFields' FieldsV1) and the apply itself.
export { fieldSetOf, isFieldsV1, type FieldsV1 } from './managedfields/fields-v1';
export { managedFieldsAfterUpdate, type UpdateOptions } from './managedfields/update';
export { typedPatchErrors, validationErrorsText } from './managedfields/typed-patch';
export { ApplyConflictError, serverSideApply, type ApplyConflict, type ApplyOptions, type ManagedFieldsEntry } from './managedfields/server-side-apply';
export { goArch, goOS, KUBERNETES_GIT_VERSION } from './version';
