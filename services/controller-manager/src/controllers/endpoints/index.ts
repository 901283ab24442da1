export { EndpointsController } from './endpoints-controller';
