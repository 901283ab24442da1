import type { KubeObject } from '@kubelab/client';

/** core/v1 ServicePort: the fields kube-proxy and the cluster DNS read. */
export interface V1ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

/** core/v1 Service, typed where kube-proxy and the cluster DNS read it. */
export interface V1Service extends KubeObject {
  spec?: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    ports?: V1ServicePort[];
    sessionAffinity?: 'None' | 'ClientIP';
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    externalTrafficPolicy?: 'Cluster' | 'Local';
    internalTrafficPolicy?: 'Cluster' | 'Local';
    [field: string]: unknown;
  };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> }; [field: string]: unknown };
}

/** discovery/v1 EndpointConditions: nil ready and serving mean true, nil terminating false (the API's own rule). */
export interface V1EndpointConditions {
  ready?: boolean | null;
  serving?: boolean | null;
  terminating?: boolean | null;
}

/** discovery/v1 Endpoint. */
export interface V1Endpoint {
  addresses: string[];
  conditions?: V1EndpointConditions;
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
}

/** discovery/v1 EndpointPort: `name` matches the Service port's name ('' for an unnamed port). */
export interface V1EndpointPort {
  name?: string | null;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number | null;
  appProtocol?: string;
}

/** discovery/v1 EndpointSlice. */
export interface V1EndpointSlice extends KubeObject {
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: V1Endpoint[] | null;
  ports?: V1EndpointPort[] | null;
}

/** The label naming the Service an EndpointSlice belongs to (discovery.LabelServiceName). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** A Service without a virtual IP (v1.ClusterIPNone). */
export const CLUSTER_IP_NONE = 'None';
/** The default of sessionAffinityConfig.clientIP.timeoutSeconds: 3 hours (v1.DefaultClientIPServiceAffinitySeconds). */
export const DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS = 10_800;
