/** examples/express driven from outside over HTTP: the contract every example server shares. */
import { describeExampleContract } from '../../../test/helpers/example-contract.js';

describeExampleContract('express');
