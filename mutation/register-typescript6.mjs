// Loaded with --import (through NODE_OPTIONS, so Stryker's checker processes get it too).
import { register } from 'node:module';

register('./typescript6-hooks.mjs', import.meta.url);
