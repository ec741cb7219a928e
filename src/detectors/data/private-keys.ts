import { defineDetectors } from '../types.js';

export default defineDetectors([]);
