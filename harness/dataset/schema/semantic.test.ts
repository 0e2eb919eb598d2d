import { describe, expect, it } from 'vitest';
import { semanticOf, startColumnFor, tableNoun, words } from './semantic.ts';

describe('semanticOf', () => {
  it('should split camelCase, PascalCase, snake_case and acronyms into words', () => {
    expect(words('createdAt')).toEqual(['created', 'at']);
    expect(words('HTTPStatus')).toEqual(['http', 'status']);
    expect(words('user_ID')).toEqual(['user', 'id']);
    expect(words('stripeCustomerId')).toEqual(['stripe', 'customer', 'id']);
  });

  it('should recognise the common column names in snake_case and quoted camelCase alike', () => {
    const cases: Record<string, string> = {
      email: 'email', emailAddress: 'email', first_name: 'firstName', lastName: 'lastName', full_name: 'fullName', displayName: 'fullName',
      username: 'username', phone_number: 'phone', website: 'url', avatarUrl: 'imageUrl', country: 'country', country_code: 'countryCode',
      city: 'city', address_line1: 'address', postalCode: 'zip', company: 'company', title: 'title', bio: 'longText', body: 'longText',
      slug: 'slug', api_token: 'token', passwordHash: 'passwordHash', last_login_ip: 'ip', latitude: 'latitude', lng: 'longitude',
      price: 'money', total_cents: 'money', currency: 'currency', locale: 'locale', timezone: 'timezone', color: 'color',
      created_at: 'createdAt', createdAt: 'createdAt', updatedAt: 'updatedAt', deleted_at: 'deletedAt', published_at: 'at',
      due_date: 'futureAt', starts_on: 'futureAt', comments_count: 'count', status: 'category', state: 'category',
      type: 'category', kind: 'category', stripeCustomerId: 'externalId', settings: 'json', tags: 'tags', name: 'name',
    };
    for (const [name, sem] of Object.entries(cases)) expect(semanticOf(name), name).toBe(sem);
  });

  it('should match whole words only', () => {
    expect(semanticOf('prescription_id')).toBe('externalId');
    expect(semanticOf('stateful_flag')).toBeUndefined();
    expect(semanticOf('emailed')).toBeUndefined();
    expect(semanticOf('email_subject')).toBe('title');
    expect(semanticOf('billingEmail')).toBe('email');
    expect(semanticOf('uid')).toBe('token');
  });

  it('should tell people and organisations apart by the table name', () => {
    expect(tableNoun('users')).toBe('person');
    expect(tableNoun('Customer')).toBe('person');
    expect(tableNoun('organizations')).toBe('organization');
    expect(tableNoun('project_tasks')).toBe('thing');
  });

  it('should pair an end time with its start by name', () => {
    expect(startColumnFor('endTime', ['id', 'startTime', 'endTime'])).toBe('startTime');
    expect(startColumnFor('ends_at', ['starts_at', 'ends_at'])).toBe('starts_at');
    expect(startColumnFor('valid_until', ['valid_from', 'valid_until'])).toBe('valid_from');
    expect(startColumnFor('end_date', ['created_at'])).toBeUndefined();
    expect(semanticOf('hashedKey')).toBe('token');
  });
});
