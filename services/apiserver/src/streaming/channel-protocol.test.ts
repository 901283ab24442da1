import { describe, expect, it } from 'vitest';
import { Channel, decodeChannelMessage, encodeChannelMessage, negotiateChannelProtocol } from './channel-protocol';
import { exitCodeStatus, internalErrorStatus, SUCCESS_STATUS } from './remote-command';
import { parseTerminalSizes } from './remote-command-websocket';
import { encodeQuery } from './query';

describe('the WebSocket channel protocol of exec and attach', () => {
  it('picks the first protocol the client offers that the server knows', () => {
    expect(negotiateChannelProtocol(['v5.channel.k8s.io'])).toEqual({ name: 'v5.channel.k8s.io', version: 5, base64: false });
    expect(negotiateChannelProtocol(['v9.channel.k8s.io', 'v4.base64.channel.k8s.io', 'v5.channel.k8s.io'])).toEqual({ name: 'v4.base64.channel.k8s.io', version: 4, base64: true });
    expect(negotiateChannelProtocol([])?.name).toBe('channel.k8s.io');
    expect(negotiateChannelProtocol(['SPDY/3.1+portforward.k8s.io'])).toBeUndefined();
  });

  it('frames binary messages with the channel byte, base64 ones with a digit', () => {
    const v5 = negotiateChannelProtocol(['v5.channel.k8s.io'])!;
    const b64 = negotiateChannelProtocol(['v4.base64.channel.k8s.io'])!;
    expect(encodeChannelMessage(v5, Channel.stdout, Buffer.from('hi'))).toEqual(Buffer.from([1, 104, 105]));
    expect(encodeChannelMessage(b64, Channel.stderr, Buffer.from('hi'))).toBe('2aGk=');
    expect(decodeChannelMessage(v5, Buffer.from([0, 120, 10]), true)).toEqual({ channel: Channel.stdin, data: Buffer.from('x\n') });
    expect(decodeChannelMessage(b64, Buffer.from('0eAo='), false)).toEqual({ channel: Channel.stdin, data: Buffer.from('x\n') });
    expect(decodeChannelMessage(v5, Buffer.alloc(0), true)).toBeUndefined();
  });

  it('reads v5\'s close signal [255, channel]; before v5, 255 is only a channel number', () => {
    const v5 = negotiateChannelProtocol(['v5.channel.k8s.io'])!;
    const v4 = negotiateChannelProtocol(['v4.channel.k8s.io'])!;
    expect(decodeChannelMessage(v5, Buffer.from([255, 0]), true)).toEqual({ closeChannel: Channel.stdin });
    expect(decodeChannelMessage(v4, Buffer.from([255, 0]), true)).toEqual({ channel: 255, data: Buffer.from([0]) });
  });

  it('reads terminal sizes, one or several in a message', () => {
    expect(parseTerminalSizes(Buffer.from('{"Width":80,"Height":24}'))).toEqual([{ width: 80, height: 24 }]);
    expect(parseTerminalSizes(Buffer.from('{"Width":80,"Height":24}\n{"Width":100,"Height":40}\n'))).toEqual([
      { width: 80, height: 24 },
      { width: 100, height: 40 },
    ]);
    expect(parseTerminalSizes(Buffer.from('{"Width":8'))).toEqual([]);
  });

  it('ends with the Status kubectl turns into its exit code', () => {
    expect(JSON.stringify(SUCCESS_STATUS)).toBe('{"metadata":{},"status":"Success"}');
    expect(JSON.stringify(exitCodeStatus(3))).toBe(
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command terminated with exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
    expect(internalErrorStatus('boom')).toEqual({ metadata: {}, status: 'Failure', message: 'Internal error occurred: boom', reason: 'InternalError', details: { causes: [{ message: 'boom' }] }, code: 500 });
  });

  it('spells kubelet URLs as Go\'s url.Values.Encode does', () => {
    expect(encodeQuery([['output', '1'], ['command', 'sh'], ['error', '1'], ['command', '-c'], ['command', 'echo a b; exit 3']])).toBe('command=sh&command=-c&command=echo+a+b%3B+exit+3&error=1&output=1');
  });
});
