import { describe, expect, it } from 'vitest';
import {
  decodeFormComponent,
  encodeFormComponent,
  formFromParsedBody,
  formToObject,
  isFormContentType,
  parseForm,
  parseFormBody,
} from '../src/adapter.js';
import { OAuthError } from '../src/index.js';

describe('form encoding (RFC 6749 Appendix B)', () => {
  it('encodes " %&+£€" as "+%25%26%2B%C2%A3%E2%82%AC" (RFC 6749 Appendix B example)', () => {
    expect(encodeFormComponent(' %&+£€')).toBe('+%25%26%2B%C2%A3%E2%82%AC');
    expect(decodeFormComponent('+%25%26%2B%C2%A3%E2%82%AC')).toBe(' %&+£€');
  });

  it('decodes "+" as a space and %XX as UTF-8 octets (Appendix B)', () => {
    expect(decodeFormComponent('a+b%20c')).toBe('a b c');
    expect(decodeFormComponent('%E2%82%AC')).toBe('€');
  });

  it('refuses a bad escape or invalid UTF-8 instead of guessing', () => {
    expect(decodeFormComponent('%ZZ')).toBeUndefined();
    expect(decodeFormComponent('%4')).toBeUndefined();
    expect(decodeFormComponent('%C3%28')).toBeUndefined();
    expect(decodeFormComponent('%E2%82')).toBeUndefined();
  });

  it('keeps every value of a repeated parameter (RFC 6749 §3.2 needs to see them)', () => {
    const params = parseForm('a=1&b=2&a=3&empty=&flag');
    expect(params.a).toEqual(['1', '3']);
    expect(params.b).toEqual(['2']);
    expect(params.empty).toEqual(['']);
    expect(params.flag).toEqual(['']);
  });

  it('does not let a parameter named __proto__ reach the prototype', () => {
    const params = parseForm('__proto__=x&constructor=y');
    expect(Object.getOwnPropertyDescriptor(params, '__proto__')?.value).toEqual(['x']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps parameters named like inherited members as parameters, and only those sent', () => {
    const params = parseForm('constructor=y&hasOwnProperty=z&toString=t');
    expect(Object.keys(params)).toEqual(['constructor', 'hasOwnProperty', 'toString']);
    expect(params.constructor).toEqual(['y']);
    expect(parseForm('a=1').constructor).toBeUndefined();
    expect(parseForm('a=1').valueOf).toBeUndefined();
    // A second value of such a name is a repeat, not a push onto an inherited member.
    expect(parseForm('toString=1&toString=2').toString).toEqual(['1', '2']);
  });

  it('formToObject: one string per name, an array for a repeat, and no prototype to pollute', () => {
    const body = formToObject(parseForm('__proto__=x&a=1&a=2&b=3'));
    expect(Object.getOwnPropertyDescriptor(body, '__proto__')?.value).toBe('x');
    expect(body.a).toEqual(['1', '2']);
    expect(body.b).toBe('3');
    expect(Object.getPrototypeOf(Object.getPrototypeOf(body))).toBeNull();
  });

  it('recognises the body by media type alone, charset=UTF-8 included', () => {
    expect(isFormContentType('application/x-www-form-urlencoded')).toBe(true);
    expect(isFormContentType('Application/X-WWW-Form-URLEncoded; charset=UTF-8')).toBe(true);
    expect(isFormContentType('application/x-www-form-urlencoded;charset="utf-8"')).toBe(true);
    expect(isFormContentType('application/x-www-form-urlencoded; charset=ISO-8859-1')).toBe(false);
    expect(isFormContentType('application/json')).toBe(false);
    expect(isFormContentType('multipart/form-data; boundary=x')).toBe(false);
    expect(isFormContentType(undefined)).toBe(false);
  });

  it('answers invalid_request for a JSON or multipart body', () => {
    for (const type of ['application/json', 'multipart/form-data; boundary=x', undefined]) {
      const error = catchError(() => parseFormBody(type, '{"client_id":"a"}'));
      expect(error).toMatchObject({ error: 'invalid_request', code: 'ERR_UNSUPPORTED_CONTENT_TYPE', status: 400 });
    }
  });

  it('answers invalid_request for a body that is not UTF-8', () => {
    const error = catchError(() =>
      parseFormBody('application/x-www-form-urlencoded', new Uint8Array([0x61, 0x3d, 0xff])),
    );
    expect(error).toMatchObject({ error: 'invalid_request', code: 'ERR_BODY_MALFORMED' });
  });

  it('accepts an empty body of any type as no parameters', () => {
    expect(Object.keys(parseFormBody('application/json', ''))).toEqual([]);
  });

  it('keeps arrays from a body parser as repeated values and refuses nested objects', () => {
    const form = 'application/x-www-form-urlencoded';
    expect(formFromParsedBody(form, { client_id: ['a', 'b'] }).client_id).toEqual(['a', 'b']);
    expect(catchError(() => formFromParsedBody(form, { client_id: { x: 'y' } }))).toMatchObject({
      code: 'ERR_PARAMETER_MALFORMED',
    });
    expect(catchError(() => formFromParsedBody('application/json', { client_id: 'a' }))).toMatchObject({
      code: 'ERR_UNSUPPORTED_CONTENT_TYPE',
    });
  });
});

function catchError(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error('expected an OAuthError');
}
