-- Dataverse tables of the demo: every table has a GUID primary key `<table>id` that the database
-- generates on insert (@GUID@ is replaced by a SQLite expression in GUID shape), a UNIQUE key on
-- the integration (alternate) key columns, and lookups that hold the referenced row's GUID.
-- Lookups are foreign keys, as Dataverse refuses a lookup to a row that does not exist; deleting
-- a referenced row clears the lookup ("remove link"), except order lines, which belong to their
-- order (parental, cascade).

CREATE TABLE cdm_company (
    cdm_companyid TEXT NOT NULL PRIMARY KEY DEFAULT (@GUID@),
    cdm_companycode TEXT NOT NULL,
    cdm_name TEXT,
    UNIQUE (cdm_companycode)
);

CREATE TABLE transactioncurrency (
    transactioncurrencyid TEXT NOT NULL PRIMARY KEY DEFAULT (@GUID@),
    isocurrencycode TEXT NOT NULL,
    currencyname TEXT,
    currencysymbol TEXT,
    currencyprecision INTEGER,
    exchangerate NUMERIC NOT NULL DEFAULT 1,
    UNIQUE (isocurrencycode)
);

CREATE TABLE msdyn_customergroup (
    msdyn_customergroupid TEXT NOT NULL PRIMARY KEY DEFAULT (@GUID@),
    msdyn_groupid TEXT NOT NULL,
    msdyn_company TEXT NOT NULL REFERENCES cdm_company (cdm_companyid),
    msdyn_description TEXT,
    msdyn_paymentterm TEXT,
    UNIQUE (msdyn_groupid, msdyn_company)
);

CREATE TABLE account (
    accountid TEXT NOT NULL PRIMARY KEY DEFAULT (@GUID@),
    accountnumber TEXT NOT NULL,
    msdyn_company TEXT NOT NULL REFERENCES cdm_company (cdm_companyid),
    name TEXT,
    -- 3 = customer; the map's filter selects customers.
    customertypecode INTEGER NOT NULL DEFAULT 3,
    msdyn_customergroupid TEXT
        REFERENCES msdyn_customergroup (msdyn_customergroupid) ON DELETE SET NULL,
    transactioncurrencyid TEXT
        REFERENCES transactioncurrency (transactioncurrencyid) ON DELETE SET NULL,
    msdyn_billingaccount TEXT REFERENCES account (accountid) ON DELETE SET NULL,
    primarycontactid TEXT REFERENCES contact (contactid) ON DELETE SET NULL,
    creditlimit NUMERIC,
    msdyn_creditrating INTEGER,
    address1_city TEXT,
    address1_country TEXT,
    UNIQUE (accountnumber, msdyn_company)
);

CREATE TABLE contact (
    contactid TEXT NOT NULL PRIMARY KEY DEFAULT (@GUID@),
    msdyn_contactpersonid TEXT NOT NULL,
    msdyn_company TEXT NOT NULL REFERENCES cdm_company (cdm_companyid),
    firstname TEXT,
    lastname TEXT,
    emailaddress1 TEXT,
    parentcustomerid TEXT REFERENCES account (accountid) ON DELETE SET NULL,
    UNIQUE (msdyn_contactpersonid, msdyn_company)
);

CREATE TABLE salesorder (
    salesorderid TEXT NOT NULL PRIMARY KEY DEFAULT (@GUID@),
    msdyn_salesordernumber TEXT NOT NULL,
    msdyn_company TEXT NOT NULL REFERENCES cdm_company (cdm_companyid),
    customerid TEXT REFERENCES account (accountid) ON DELETE SET NULL,
    transactioncurrencyid TEXT
        REFERENCES transactioncurrency (transactioncurrencyid) ON DELETE SET NULL,
    requestdeliveryby TEXT,
    statuscode INTEGER,
    UNIQUE (msdyn_salesordernumber, msdyn_company)
);

CREATE TABLE salesorderdetail (
    salesorderdetailid TEXT NOT NULL PRIMARY KEY DEFAULT (@GUID@),
    salesorderid TEXT NOT NULL REFERENCES salesorder (salesorderid) ON DELETE CASCADE,
    sequencenumber INTEGER NOT NULL,
    msdyn_company TEXT NOT NULL REFERENCES cdm_company (cdm_companyid),
    productnumber TEXT,
    quantity NUMERIC,
    priceperunit NUMERIC,
    extendedamount NUMERIC,
    UNIQUE (salesorderid, sequencenumber, msdyn_company)
);

-- A business rule, as a Dataverse plug-in would enforce it: credit limits above 1,000,000 need
-- an approval that a sync cannot give. F&O accepts such a limit, so a live transaction carrying
-- one fails on the target and rolls back on both sides (the demo's failing live example).
CREATE TRIGGER account_credit_limit_approval BEFORE INSERT ON account
WHEN NEW.creditlimit > 1000000
BEGIN
    SELECT RAISE(ABORT, 'Business process error: a credit limit above 1,000,000 needs approval');
END;

CREATE TRIGGER account_credit_limit_approval_update BEFORE UPDATE OF creditlimit ON account
WHEN NEW.creditlimit > 1000000
BEGIN
    SELECT RAISE(ABORT, 'Business process error: a credit limit above 1,000,000 needs approval');
END;
