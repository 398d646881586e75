// The page's entry: asks for the service list while the rest of the page's modules load, so
// the first table does not wait for them one round trip more.
import {call, early, token} from './api.js';

if (token.get() && /^#?\/?$/.test(location.hash)) early.list = call('service_list', {}).catch(() => null);
import('./app.js');
