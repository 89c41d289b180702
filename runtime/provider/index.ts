export {
  publishServer,
  type PublishServerOptions,
  type PublishedServer,
  type PublishedService,
  type PublishableServer,
} from "./publish-server.js";
export { advertisedAddress } from "./advertise-address.js";
