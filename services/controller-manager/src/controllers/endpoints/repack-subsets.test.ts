import { describe, expect, it } from 'vitest';
import { repackSubsets, spewPort, spewSubset } from './repack-subsets';
import type { EndpointAddress, EndpointSubset } from './types';

const a = (ip: string, uid = `uid-${ip}`): EndpointAddress => ({ ip, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: `pod-${ip}`, uid } });
const http = { name: 'http', port: 8080, protocol: 'TCP' };
const https = { name: 'https', port: 8443, protocol: 'TCP' };

const sortedSet = (subsets: EndpointSubset[]) => [...subsets].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));

describe('repackSubsets', () => {
  it.each([
    {
      name: 'one address per port subset merges into one subset',
      input: [
        { addresses: [a('10.0.0.2')], ports: [http] },
        { addresses: [a('10.0.0.1')], ports: [http] },
      ],
      want: [{ addresses: [a('10.0.0.1'), a('10.0.0.2')], ports: [http] }],
    },
    {
      name: 'an address not ready on a port stays not ready there, whatever else says ready',
      input: [
        { addresses: [a('10.0.0.1')], ports: [http] },
        { notReadyAddresses: [a('10.0.0.1')], ports: [http] },
        { addresses: [a('10.0.0.1')], ports: [http] },
      ],
      want: [{ notReadyAddresses: [a('10.0.0.1')], ports: [http] }],
    },
    {
      name: 'the same IP from two pods (host network) is two addresses',
      input: [
        { addresses: [a('10.0.0.1', 'uid-b')], ports: [http] },
        { addresses: [a('10.0.0.1', 'uid-a')], ports: [http] },
      ],
      want: [{ addresses: [a('10.0.0.1', 'uid-a'), a('10.0.0.1', 'uid-b')], ports: [http] }],
    },
    {
      name: 'ports with different addresses stay apart; ports with the same ones join',
      input: [
        { addresses: [a('10.0.0.1')], ports: [http] },
        { addresses: [a('10.0.0.1')], ports: [https] },
        { addresses: [a('10.0.0.2')], ports: [http] },
      ],
      want: [
        { addresses: [a('10.0.0.1'), a('10.0.0.2')], ports: [http] },
        { addresses: [a('10.0.0.1')], ports: [https] },
      ],
    },
    {
      name: 'addresses without ports are kept, in a subset without ports',
      input: [{ addresses: [a('10.0.0.2')] }, { addresses: [a('10.0.0.1')] }],
      want: [{ addresses: [a('10.0.0.1'), a('10.0.0.2')] }],
    },
    { name: 'nothing is nothing', input: [], want: [] },
  ])('$name', ({ input, want }) => {
    expect(sortedSet(repackSubsets(input as EndpointSubset[]))).toEqual(sortedSet(want as EndpointSubset[]));
  });

  it('orders ports and subsets by the hash of their Go rendering, independently of the input order', () => {
    const input: EndpointSubset[] = [
      { addresses: [a('10.0.0.1')], ports: [http, https] },
      { addresses: [a('10.0.0.2')], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
      { notReadyAddresses: [a('10.0.0.3')], ports: [{ name: 'http', port: 7070, protocol: 'TCP' }] },
    ];
    const once = repackSubsets(structuredClone(input));
    expect(repackSubsets(structuredClone(input).reverse())).toEqual(once);
    expect(once).toHaveLength(3);
  });
});

describe('the Go rendering hashed for the order (spew %#v, as hashutil.DeepHashObject prints)', () => {
  it('renders a port with its types, a nil pointer as <nil>', () => {
    expect(spewPort(http)).toBe('(core.EndpointPort){Name:(string)http Port:(int32)8080 Protocol:(core.Protocol)TCP AppProtocol:(*string)<nil>}');
    expect(spewPort({ port: 80, protocol: 'TCP', appProtocol: 'h2c' })).toBe('(core.EndpointPort){Name:(string) Port:(int32)80 Protocol:(core.Protocol)TCP AppProtocol:(*string)h2c}');
  });

  it('renders a subset: slice elements without their type, nil slices as <nil>', () => {
    expect(spewSubset({ addresses: [a('10.0.0.1')], ports: [http] })).toBe(
      '(core.EndpointSubset){Addresses:([]core.EndpointAddress)[{IP:(string)10.0.0.1 Hostname:(string) NodeName:(*string)node-1 ' +
        'TargetRef:(*core.ObjectReference){Kind:(string)Pod Namespace:(string)default Name:(string)pod-10.0.0.1 UID:(types.UID)uid-10.0.0.1 APIVersion:(string) ResourceVersion:(string) FieldPath:(string)}}] ' +
        'NotReadyAddresses:([]core.EndpointAddress)<nil> Ports:([]core.EndpointPort)[{Name:(string)http Port:(int32)8080 Protocol:(core.Protocol)TCP AppProtocol:(*string)<nil>}]}',
    );
  });
});
