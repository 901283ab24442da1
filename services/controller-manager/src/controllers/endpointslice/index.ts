export { EndpointSliceController } from './endpointslice-controller';
