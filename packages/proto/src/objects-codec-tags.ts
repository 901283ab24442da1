import { LENGTH_DELIMITED, tag, VARINT } from './protobuf-wire';

/**
 * The one-byte tags of objects.proto's fields, shared by its encoders and decoders: S<n> is field n
 * as a string, bytes or message (length-delimited), V<n> field n as a varint (an int64, a bool, an
 * enum). Every field number there is below 16.
 */
export const S1 = tag(1, LENGTH_DELIMITED);
export const S2 = tag(2, LENGTH_DELIMITED);
export const S3 = tag(3, LENGTH_DELIMITED);
export const S4 = tag(4, LENGTH_DELIMITED);
export const S5 = tag(5, LENGTH_DELIMITED);
export const S6 = tag(6, LENGTH_DELIMITED);
export const S7 = tag(7, LENGTH_DELIMITED);
export const S8 = tag(8, LENGTH_DELIMITED);
export const V1 = tag(1, VARINT);
export const V2 = tag(2, VARINT);
export const V4 = tag(4, VARINT);
export const V5 = tag(5, VARINT);
export const V6 = tag(6, VARINT);
export const V7 = tag(7, VARINT);
export const V8 = tag(8, VARINT);
export const V9 = tag(9, VARINT);
