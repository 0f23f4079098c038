export { makeSelfSignedCert, type TestCert } from './certs.js';
export {
  type FakeAgentMode,
  type FakeAgentOptions,
  type FakeAgentRequest,
  FakeSecretAgent,
  unusedPort,
} from './fake-secret-agent.js';
