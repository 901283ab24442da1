import type { ServiceDefinition } from '@grpc/grpc-js';

/**
 * grpc.health.v1.Health/Check, the protocol a grpc probe speaks, with its two tiny messages
 * encoded by hand (HealthCheckRequest { string service = 1 }, HealthCheckResponse
 * { ServingStatus status = 1 }) so the prober needs no .proto file.
 */
export interface HealthCheckRequest {
  service: string;
}

export interface HealthCheckResponse {
  status: number;
}

/** HealthCheckResponse.ServingStatus, by number. */
export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;
export const SERVING = 1;

export function encodeHealthCheckRequest(request: HealthCheckRequest): Buffer {
  if (!request.service) return Buffer.alloc(0);
  const service = Buffer.from(request.service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), varint(service.length), service]);
}

export function decodeHealthCheckRequest(data: Buffer): HealthCheckRequest {
  let service = '';
  for (const field of fields(data)) if (field.number === 1 && Buffer.isBuffer(field.value)) service = field.value.toString('utf8');
  return { service };
}

export function encodeHealthCheckResponse(response: HealthCheckResponse): Buffer {
  return response.status ? Buffer.concat([Buffer.from([0x08]), varint(response.status)]) : Buffer.alloc(0);
}

export function decodeHealthCheckResponse(data: Buffer): HealthCheckResponse {
  let status = 0;
  for (const field of fields(data)) if (field.number === 1 && typeof field.value === 'number') status = field.value;
  return { status };
}

/** The service definition, for a client (makeGenericClientConstructor) or a test's server. */
export const healthService: ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: HealthCheckRequest) => encodeHealthCheckRequest(value),
    requestDeserialize: (data: Buffer) => decodeHealthCheckRequest(data),
    responseSerialize: (value: HealthCheckResponse) => encodeHealthCheckResponse(value),
    responseDeserialize: (data: Buffer) => decodeHealthCheckResponse(data),
  },
};

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value >>> 0;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** The fields of a protobuf message: varints as numbers, length-delimited ones as bytes. */
function* fields(data: Buffer): Generator<{ number: number; value: number | Buffer }> {
  let offset = 0;
  const readVarint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (offset >= data.length) throw new Error('truncated protobuf message');
      const byte = data[offset++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
      shift += 7;
    }
  };
  while (offset < data.length) {
    const key = readVarint();
    const number = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        yield { number, value: readVarint() };
        break;
      case 1:
        offset += 8;
        break;
      case 2: {
        const length = readVarint();
        yield { number, value: data.subarray(offset, offset + length) };
        offset += length;
        break;
      }
      case 5:
        offset += 4;
        break;
      default:
        throw new Error('unsupported protobuf wire type');
    }
  }
}
