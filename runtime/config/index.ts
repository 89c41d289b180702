export { parseConfig, loadConfig, defineConfig } from "./load-config.js";
export { ConfigError, type ConfigIssue } from "./config-error.js";
export { clientSettingsFor } from "./client-settings.js";
export {
  createRegistryFromConfig,
  clusterOptionsFromConfig,
  serverSettingsFromConfig,
  type ServerSettings,
} from "./config-to-runtime.js";
export type {
  RpcgenConfig,
  RpcgenConfigInput,
  ServiceClientConfig,
  MethodConfig,
  RegistryConfig,
  ServerConfig,
} from "./config-schema.js";
