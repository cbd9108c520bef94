INSERT INTO shop.customers (email, name, phone)
SELECT 'customer' || i || '@example.com', 'Customer ' || i,
       CASE WHEN i % 2 = 0 THEN '+1 555 01' || lpad(i::text, 2, '0') END
  FROM generate_series(1, 6) i;
INSERT INTO shop.orders (customer_id, amount, status)
SELECT 1 + i % 6, (i * 7.125)::text, CASE WHEN i % 3 = 0 THEN 'paid' END
  FROM generate_series(1, 9) i;
