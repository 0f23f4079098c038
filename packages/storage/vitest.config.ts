import { packageConfig } from '@asbkit/config/vitest';

export default packageConfig();
