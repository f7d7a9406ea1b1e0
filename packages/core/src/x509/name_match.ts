/**
 * RFC 4517 §4.2.15 distinguishedNameMatch, with the RFC 4518 string preparation of the values:
 * how a registered `tls_client_auth_subject_dn` is compared with a certificate's subject.
 */
import {
  type AttributeTypeAndValue,
  CASE_IGNORE_TYPES,
  type DistinguishedName,
  type RelativeDistinguishedName,
} from './distinguished_name.js';

/**
 * RFC 4518 string preparation, simplified: Unicode NFKC, every white space becomes one space,
 * leading/trailing spaces are insignificant, inner runs of spaces count as one.
 */
function prepare(value: string, caseIgnore: boolean): string {
  const prepared = value.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  return caseIgnore ? prepared.toLowerCase() : prepared;
}

function attributeMatch(registered: AttributeTypeAndValue, presented: AttributeTypeAndValue): boolean {
  if (registered.type !== presented.type) return false;
  if (registered.value !== undefined && presented.value !== undefined) {
    const caseIgnore = CASE_IGNORE_TYPES.has(registered.type);
    return prepare(registered.value, caseIgnore) === prepare(presented.value, caseIgnore);
  }
  // Values that are not strings compare by their encoding.
  return registered.ber !== undefined && registered.ber === presented.ber;
}

/**
 * RFC 4517 §4.2.15 distinguishedNameMatch: the same number of RDNs in the same order, each RDN with
 * the same set of attribute values (order inside a multi-valued RDN does not matter), attribute
 * types compared by OID, values by their equality rule (caseIgnore for every named attribute).
 * How `tls_client_auth_subject_dn` is compared with the certificate's subject.
 *
 * @example
 * ```ts
 * distinguishedNameMatch(
 *   parseDistinguishedName('CN=client-a,O=Example Corp,C=SE'),
 *   parseDistinguishedName('cn=Client-A, o=example corp, c=se'),
 * ) // true
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc4517#section-4.2.15
 */
export function distinguishedNameMatch(registered: DistinguishedName, presented: DistinguishedName): boolean {
  if (registered.length !== presented.length) return false;
  return registered.every((rdn, index) => {
    const other = presented[index] as RelativeDistinguishedName;
    if (rdn.length !== other.length) return false;
    const used = new Set<number>();
    return rdn.every((ava) => {
      const found = other.findIndex((candidate, at) => !used.has(at) && attributeMatch(ava, candidate));
      if (found === -1) return false;
      used.add(found);
      return true;
    });
  });
}
