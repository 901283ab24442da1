export { ServiceLBController } from './service-lb-controller';
