O = 'organization-info'
T = 'templating-engine'
def s(n): return 'S:' + n
def e(n): return 'E:' + n
def arr(t): return '[' + t + ']'

MODULES = {}
MODULES['organization'] = {
 'enums': [
  ('PartyKind', 'Whose name or e-mail address this is (`Name.type`, `EmailAddress.type`).', ['PERSONAL','COMPANY','DEFAULT']),
  ('AddressKind', 'What an address is used for (`Address.type`).', ['PERSONAL','COMPANY','LEGAL','DEFAULT','PRIVATE']),
  ('PhoneKind', 'What a telephone number is (`TelephoneNumber.type`).', ['MOBILE','HOME','COMPANY','DEFAULT']),
  ('IdentifierKind', 'The kind of a government identifier (`Identifier.type`).', ['SSN','PASSPORT_NO','EIN']),
  ('Privacy', 'Whether an organization is listed publicly.', ['PRIVATE','PUBLIC']),
  ('RetrievalStrategy', 'How `organization-info` may answer a get: from its cache or reloaded.', ['FORCE_RELOAD','PREFER_CACHED','DEFAULT']),
  ('LicensingJurisdiction', 'Where a license is applied for.', ['DELAWARE','BVI']),
  ('LicensingApplicationType', 'Kind of license application.', ['NEW_LICENSE','LICENSE_RENEWAL','AMENDMENT']),
  ('LicensingStatus', 'Where a license application stands.', ['DRAFT','SUBMITTED','UNDER_REVIEW','APPROVED','REJECTED','IN_COMPLIANCE_REVIEW','INFO_REQUESTED','ON_HOLD','COMPLETED','WITHDRAWN','EXPIRED','APPROVED_WITH_CONDITIONS']),
  ('RiskAssessmentStatus', 'Risk rating of a license application.', ['UNASSIGNED','LOW_RISK','MEDIUM_RISK','HIGH_RISK']),
 ],
 'structs': [
  ('Name', 'A person\'s or company\'s name.', O+'#Name', [
     ('title','str','Title (Mr, Dr, ...).',False), ('firstName','str','First name.',False),
     ('secondName','str','Middle name.',False), ('lastName','str','Last name.',False),
     ('type',e('PartyKind'),'Whose name this is.',False)]),
  ('EmailAddress', 'An e-mail address with its kind.', O+'#EmailAddress', [
     ('emailAddress','str','The address.',False), ('type',e('PartyKind'),'Whose address this is.',False)]),
  ('Tag', 'A key/value label.', O+'#Tag', [('key','str','Label key.',False), ('value','str','Label value.',False)]),
  ('Address', 'A postal address.', O+'#Address', [
     ('id','str','Mass address id.',False), ('line1','str','First line.',False), ('line2','str','Second line.',False),
     ('city','str','City.',False), ('state','str','State or province.',False), ('country','str','Country.',False),
     ('postalCode','str','Postal code.',False), ('unit','str','Unit or suite.',False), ('type',e('AddressKind'),'What the address is for.',False)]),
  ('Branding', 'Branding of an organization\'s pages.', O+'#Branding', [
     ('enabled','bool','Whether custom branding is on.',False), ('primaryColor','str','Primary colour.',False),
     ('linkColor','str','Link colour.',False), ('logoUrl','str','Logo URL.',False)]),
  ('Identifier', 'A government identifier (SSN, passport number, EIN).', O+'#Identifier', [
     ('id','str','Mass identifier id.',False), ('type',e('IdentifierKind'),'Kind of identifier.',False), ('value','str','The identifier.',False)]),
  ('TelephoneNumber', 'A telephone number.', O+'#TelephoneNumber', [
     ('countryCode','str','Country calling code.',False), ('number','str','Number without country code.',False),
     ('numberStr','str','Number as displayed.',False), ('type',e('PhoneKind'),'Kind of number.',False)]),
  ('Director', 'A member of an organization\'s board.', O+'#Director', [
     ('userId','str','Mass user id.',False), ('active','bool','Whether the directorship is active.',False),
     ('name',s('Name'),'Name.',False), ('email',s('EmailAddress'),'E-mail address.',False),
     ('roles',arr('str'),'Board roles.',False), ('shares','str','Shares held (decimal text).',False),
     ('ownershipPercentage','str','Ownership percentage (decimal text).',False), ('createdAt','str','When added (RFC 3339).',False)]),
  ('Board', 'An organization\'s board of directors.', O+'#Board', [('directors',arr(s('Director')),'The directors.',True)]),
  ('UpdateBoard', 'Body of a board update.', O+'#UpdateBoard', [('board',s('Board'),'The new board.',True)]),
  ('OrganizationMember', 'A member of an organization.', O+'#OrganizationMember', [
     ('userId','str','Mass user id.',False), ('name',s('Name'),'Name.',False), ('userName','str','User name.',False),
     ('emailAddress',s('EmailAddress'),'E-mail address.',False), ('profileImgUrl','str','Profile image URL.',False),
     ('roles',arr('str'),'Roles in the organization.',False)]),
  ('Organization', 'A legal entity as `organization-info` holds it. Nested application documents (fund details, incorporation, C-corp, GP details, investor fund application) are not modelled; unknown fields are ignored.', O+'#Organization', [
     ('id','str','Mass organization id.',False), ('name','str','Legal name.',False), ('address',s('Address'),'Registered address.',False),
     ('jurisdiction','str','Jurisdiction of formation.',False), ('bio','str','Description.',False),
     ('profileImgUrl','str','Profile image URL.',False), ('backgroundImgUrl','str','Background image URL.',False),
     ('branding',s('Branding'),'Branding.',False), ('type','str','Entity type.',False), ('subType','str','Entity sub-type.',False),
     ('privacy',e('Privacy'),'Listing privacy.',False), ('identifier',s('Identifier'),'Government identifier.',False),
     ('customType','str','Free-text entity type.',False), ('creatorId','str','User who created it.',False),
     ('status','str','Lifecycle status.',False), ('legalCouncil','str','Legal counsel.',False),
     ('stateOfArbitration','str','State of arbitration.',False), ('managementCompanyName','str','Management company.',False),
     ('taxState','str','Tax state.',False), ('board',s('Board'),'Board of directors.',False), ('website','str','Website.',False),
     ('members',arr(s('OrganizationMember')),'Members.',False), ('tags',arr(s('Tag')),'Labels.',False),
     ('createdAt','str','Created at (RFC 3339).',False), ('updatedAt','str','Updated at (RFC 3339).',False)]),
  ('PersonalDetails', 'The founder\'s details on organization creation.', O+'#PersonalDetails', [
     ('firstName','str','First name.',True), ('lastName','str','Last name.',True), ('email','str','E-mail address.',True),
     ('dob','str','Date of birth.',False), ('address',s('Address'),'Address.',False),
     ('telephoneNumber',s('TelephoneNumber'),'Telephone number.',False), ('identifier',s('Identifier'),'Government identifier.',False)]),
  ('CreateOrganization', 'Body of organization creation.', O+'#CreateOrganization', [
     ('name','str','Legal name (required).',True), ('bio','str','Description (required).',True),
     ('address',s('Address'),'Registered address (required).',True),
     ('profileImgUrl','str','Profile image URL.',False), ('backgroundImgUrl','str','Background image URL.',False),
     ('ownerId','str','Owning user id.',False), ('isPrivate','bool','Whether unlisted.',False), ('open','bool','Whether open to join.',False),
     ('webhooksEnabled','bool','Whether webhooks fire.',False), ('branding',s('Branding'),'Branding.',False),
     ('personalDetails',s('PersonalDetails'),'Founder details.',False)]),
  ('UpdateOrganization', 'Body of an organization update; absent fields are left unchanged.', O+'#UpdateOrganization', [
     ('branding',s('Branding'),'Branding.',False), ('privacy',e('Privacy'),'Listing privacy.',False), ('bio','str','Description.',False),
     ('profileImgUrl','str','Profile image URL.',False), ('backgroundImgUrl','str','Background image URL.',False),
     ('name','str','Legal name.',False), ('address',s('Address'),'Registered address.',False),
     ('legalCouncil','str','Legal counsel.',False), ('stateOfArbitration','str','State of arbitration.',False),
     ('managementCompanyName','str','Management company.',False), ('taxState','str','Tax state.',False),
     ('subType','str','Entity sub-type.',False), ('identifier',s('Identifier'),'Government identifier.',False)]),
  ('SearchRequest', 'Body of an organization search.', O+'#SearchRequest', [
     ('pageSize','i32','Items per page.',False), ('page','i32','Page number (0-based).',False), ('searchTerm','str','Free-text search term.',False)]),
  ('OrganizationPage', 'One page of organizations.', O+'#ResponsePageOrganization', [
     ('pageNumber','i32','This page\'s number.',False), ('totalItems','i64','Matches in total.',False),
     ('totalPages','i64','Pages in total.',False), ('pageSize','i64','Items per page.',False),
     ('numItems','i64','Items on this page.',False), ('items',arr(s('Organization')),'The organizations.',False)]),
  ('SupportedJurisdiction', 'A jurisdiction Mass can form entities in.', O+'#SupportedJurisdiction', [
     ('key','str','Stable key.',False), ('name','str','Name.',False), ('label','str','Display label.',False),
     ('filingAuthority','str','Filing authority.',False), ('documentType','str','Formation document type.',False),
     ('processingEntity','str','Who processes filings.',False)]),
  ('LicensingRequest', 'Body of a license application create or update. `application` is the jurisdiction-specific document (BVI or Delaware), passed through as JSON.', O+'#LicensingRequest', [
     ('id','str','Application id (updates only).',False), ('entityId','str','Applicant organization id.',False),
     ('jurisdiction',e('LicensingJurisdiction'),'Licensing jurisdiction.',False),
     ('applicationType',e('LicensingApplicationType'),'Kind of application.',False),
     ('application','value','The jurisdiction-specific application document.',False),
     ('status',e('LicensingStatus'),'Status.',False), ('riskAssessmentStatus',e('RiskAssessmentStatus'),'Risk rating.',False),
     ('assignedReviewerId','str','Assigned reviewer.',False)]),
  ('LicensingResponse', 'A license application as Mass holds it.', O+'#LicensingResponse', [
     ('id','str','Application id.',False), ('entityId','str','Applicant organization id.',False), ('type','str','License type.',False),
     ('jurisdiction',e('LicensingJurisdiction'),'Licensing jurisdiction.',False),
     ('applicationType',e('LicensingApplicationType'),'Kind of application.',False),
     ('application','value','The jurisdiction-specific application document.',False),
     ('status',e('LicensingStatus'),'Status.',False), ('riskAssessmentStatus',e('RiskAssessmentStatus'),'Risk rating.',False),
     ('decisionDueDate','str','Decision due (RFC 3339).',False), ('createdBy','str','Creator.',False),
     ('createdAt','str','Created at (RFC 3339).',False), ('updatedAt','str','Updated at (RFC 3339).',False),
     ('submittedAt','str','Submitted at (RFC 3339).',False), ('assignedReviewerId','str','Assigned reviewer.',False),
     ('regulated','bool','Whether the licensed activity is regulated.',False)]),
 ]}

MODULES['templating'] = {
 'enums': [
  ('SigningRole', 'The role a signer signs in.', ['OFFICER','RECIPIENT','SPOUSE','WITNESS']),
  ('SubmissionStatus', 'Where a signing submission stands.', ['AWAITING_SIGNATURES','SIGNED','DECLINED','ARCHIVED']),
  ('SigningOrder', 'Whether signers sign in the given order.', ['RANDOM','PRESERVED']),
  ('TemplateContext', 'Which signing backend holds a template or submission.', ['DOCUSEAL','LEGACY']),
  ('TagState', 'State of a signing tag.', ['ENABLED','DISABLED']),
  ('TemplateGrouping', 'Template grouping filter.', ['AGREEMENT','EQUITY_OFFER','CONSENT','FUNDRAISER']),
 ],
 'structs': [
  ('SignerName', 'A signer\'s name (the templating-engine `Name`).', T+'#Name', [('firstName','str','First name.',False), ('lastName','str','Last name.',False)]),
  ('SignerTag', 'A key/value label on a signer or submission.', T+'#Tag', [('key','str','Label key.',False), ('value','str','Label value.',False)]),
  ('Signer', 'A party asked to sign.', T+'#Signer', [
     ('id','str','Signer id.',False), ('referenceId','str','Caller reference.',False), ('name',s('SignerName'),'Name.',False),
     ('email','str','E-mail address.',False), ('signingRole',e('SigningRole'),'Role.',False), ('signingLink','str','Signing link.',False),
     ('status',e('SubmissionStatus'),'Signing status.',False), ('documentUri','str','Signed document URI.',False),
     ('completedAt','str','Signed at (RFC 3339).',False), ('declinedAt','str','Declined at (RFC 3339).',False),
     ('sentAt','str','Sent at (RFC 3339).',False), ('tags',arr(s('SignerTag')),'Labels.',False)]),
  ('FieldRequest', 'A pre-filled template field.', T+'#FieldRequest', [
     ('name','str','Field name.',False), ('value','str','Field value.',False), ('editable','bool','Whether the signer may change it.',False)]),
  ('SigningRequest', 'Body of a signing request.', T+'#SigningRequest', [
     ('entityId','str','Organization the documents belong to.',False), ('signingOrder',e('SigningOrder'),'Signing order.',False),
     ('templateTypes',arr('str'),'Template types to sign.',False), ('signers',arr(s('Signer')),'Signers.',False),
     ('fields',arr(s('FieldRequest')),'Pre-filled fields.',False), ('tags','{'+e('TagState')+'}','Tag switches.',False),
     ('parentSubmissionId','str','Submission this one continues.',False)]),
  ('TemplateSummary', 'A template as referenced from a submission.', T+'#TemplateSummary', [
     ('id','str','Template id.',False), ('type','str','Template type.',False), ('name','str','Name.',False), ('grouping','str','Grouping.',False)]),
  ('Submission', 'A set of documents sent for signature.', T+'#Submission', [
     ('id','str','Submission id.',False), ('entityId','str','Organization id.',False), ('context',e('TemplateContext'),'Backend.',False),
     ('status',e('SubmissionStatus'),'Status.',False), ('signingOrder',e('SigningOrder'),'Signing order.',False),
     ('template',arr(s('TemplateSummary')),'Templates in the submission.',False), ('signers',arr(s('Signer')),'Signers.',False),
     ('createdAt','str','Created at (RFC 3339).',False), ('updatedAt','str','Updated at (RFC 3339).',False),
     ('archivedAt','str','Archived at (RFC 3339).',False), ('documentUri','str','Combined document URI.',False),
     ('tags',arr(s('SignerTag')),'Labels.',False), ('parentSubmissionId','str','Parent submission.',False), ('userId','str','Requesting user.',False)]),
  ('SubmissionResponse', 'Answer to a signing request or submission get.', T+'#SubmissionResponse', [
     ('id','str','Request id.',False), ('submissions',arr(s('Submission')),'Submissions created or found.',False)]),
  ('FieldOption', 'One choice of a template field.', T+'#FieldOption', [('label','str','Label.',False), ('value','str','Value.',False)]),
  ('FieldRole', 'Which signer role fills a field.', T+'#FieldRole', [('role',e('SigningRole'),'Role.',False)]),
  ('TemplateField', 'A field of a template.', T+'#TemplateField', [
     ('id','str','Field id.',False), ('referenceId','str','Reference id.',False), ('name','str','Name.',False),
     ('description','str','Description.',False), ('fieldType','str','Field type.',False),
     ('validationMessage','str','Validation message.',False), ('validationRegex','str','Validation pattern.',False),
     ('fieldRole',s('FieldRole'),'Role that fills it.',False), ('options',arr(s('FieldOption')),'Choices.',False),
     ('required','bool','Whether required.',False), ('systemField','bool','Whether filled by the system.',False)]),
  ('Template', 'A document template.', T+'#Template', [
     ('id','str','Template id.',False), ('name','str','Name.',False), ('context',e('TemplateContext'),'Backend.',False),
     ('entityId','str','Owning organization.',False), ('version','f64','Version number.',False), ('type','str','Template type.',False),
     ('grouping','str','Grouping.',False), ('status','str','Status.',False), ('documentKey','str','Storage key.',False),
     ('fields',arr(s('TemplateField')),'Fields.',False), ('archivedAt','str','Archived at (RFC 3339).',False),
     ('createdAt','str','Created at (RFC 3339).',False), ('updatedAt','str','Updated at (RFC 3339).',False)]),
  ('TemplateOptions', 'A template available to an organization.', T+'#TemplateOptions', [
     ('templateType','str','Template type.',False), ('templateName','str','Name.',False), ('entityId','str','Organization id.',False),
     ('templateId','str','Template id.',False), ('documentUri','str','Document URI.',False)]),
 ]}

MODULES['treasury'] = {
 'enums': [
  ('TreasuryStatus', 'Lifecycle of a treasury.', ['ACTIVE','SUSPENDED','CLOSED']),
  ('AccountStatus', 'Lifecycle of an account.', ['ACTIVE','FROZEN','CLOSED']),
  ('TransactionKind', 'What a transaction did.', ['PAYMENT','DEPOSIT','WITHDRAWAL','FEE']),
  ('TransactionStatus', 'Where a transaction stands.', ['PENDING','COMPLETED','FAILED','REVERSED']),
 ],
 'structs': [
  ('CreateTreasury', 'Body of treasury creation.', None, [
     ('entityId','str','Owning organization id (required).',True), ('name','str','Display name (required).',True)]),
  ('Treasury', 'A treasury: the container of an entity\'s accounts.', None, [
     ('id','str','Treasury id.',False), ('entityId','str','Owning organization id.',False), ('name','str','Display name.',False),
     ('status',e('TreasuryStatus'),'Lifecycle status.',False), ('createdAt','str','Created at (RFC 3339).',False)]),
  ('CreateAccount', 'Body of account creation (sent with an idempotency key).', None, [
     ('treasuryId','str','Treasury the account belongs to (required).',True), ('name','str','Display name (required).',True),
     ('currency','str','ISO 4217 currency code (required).',True)]),
  ('AccountWire', 'An account as it crosses the wire (decimal balance).', None, [
     ('id','str','Account id.',False), ('treasuryId','str','Treasury id.',False), ('entityId','str','Owning organization id.',False),
     ('name','str','Display name.',False), ('currency','str','ISO 4217 currency code.',False),
     ('balance','f64','Balance as a decimal number.',False), ('status',e('AccountStatus'),'Lifecycle status.',False),
     ('createdAt','str','Created at (RFC 3339).',False)], 'private'),
  ('CreatePaymentWire', 'Body of payment creation as it crosses the wire (decimal amount).', None, [
     ('sourceAccountId','str','Account debited (required).',True), ('destinationAccountId','str','Account credited (required).',True),
     ('amount','f64','Amount as a decimal number (required).',True), ('currency','str','ISO 4217 currency code (required).',True),
     ('reference','str','Payment reference.',False)], 'private nodefault'),
  ('TransactionWire', 'A transaction as it crosses the wire (decimal amount).', None, [
     ('id','str','Transaction id.',False), ('accountId','str','Account debited.',False),
     ('counterpartyAccountId','str','Account credited.',False), ('type',e('TransactionKind'),'What it did.',False),
     ('status',e('TransactionStatus'),'Where it stands.',False), ('amount','f64','Amount as a decimal number.',False),
     ('currency','str','ISO 4217 currency code.',False), ('reference','str','Payment reference.',False),
     ('createdAt','str','Created at (RFC 3339).',False)], 'private'),
 ]}

MODULES['consent'] = {
 'enums': [
  ('ConsentOperationType', 'The corporate action a consent authorises.', ['EQUITY_OFFER','ISSUE_NEW_SHARES','TRANSFER_SHARES','CREATE_OPTIONS_POOL','AMEND_OPTIONS_POOL','CREATE_SHARE_CLASS','MODIFY_COMPANY_LEGAL_NAME','MODIFY_BOARD_MEMBER_DESIGNATION','FUNDRAISER','CERTIFICATE_OF_AMENDMENT','DISSOLUTION']),
  ('ConsentStatus', 'Where a consent stands.', ['PENDING','APPROVED','REJECTED','CANCELLED','EXPIRED']),
  ('VoteDecision', 'One approver\'s decision.', ['APPROVE','REJECT']),
  ('ShareClassKind', 'Kind of share class.', ['COMMON','PREFERRED']),
  ('SecurityKind', 'Kind of security.', ['SHARES','OPTION','WARRANT','SAFE','CONVERTIBLE_NOTE']),
  ('SecurityStatus', 'Lifecycle of a security.', ['ISSUED','CANCELLED','TRANSFERRED']),
 ],
 'structs': [
  ('CreateConsent', 'Body of consent creation.', None, [
     ('organizationId','str','Organization asked to consent (required).',True),
     ('operationType',e('ConsentOperationType'),'Corporate action (required).',True),
     ('requestedBy','str','Requesting user id (required).',True),
     ('operationId','str','Id of the operation the consent gates.',False), ('description','str','Description.',False),
     ('approvalsRequired','i32','Approvals needed; the board size when absent.',False)], 'nodefault'),
  ('ConsentVote', 'One approver\'s vote.', None, [
     ('userId','str','Voter.',False), ('decision',e('VoteDecision'),'Decision.',False), ('reason','str','Reason given.',False),
     ('votedAt','str','Voted at (RFC 3339).',False)]),
  ('Consent', 'A consent request and its votes.', None, [
     ('id','str','Consent id.',False), ('organizationId','str','Organization.',False),
     ('operationType',e('ConsentOperationType'),'Corporate action.',False), ('operationId','str','Gated operation.',False),
     ('description','str','Description.',False), ('requestedBy','str','Requesting user.',False),
     ('status',e('ConsentStatus'),'Where it stands.',False), ('approvalsRequired','i32','Approvals needed.',False),
     ('votes',arr(s('ConsentVote')),'Votes so far.',False), ('createdAt','str','Created at (RFC 3339).',False),
     ('updatedAt','str','Updated at (RFC 3339).',False)]),
  ('ConsentDecision', 'Body of an approve or reject.', None, [
     ('userId','str','Voting user (required).',True), ('reason','str','Reason (rejections).',False)]),
  ('ShareClass', 'A class of shares in a cap table.', None, [
     ('id','str','Share class id.',False), ('name','str','Name (required on create).',True), ('type',e('ShareClassKind'),'Kind.',False),
     ('authorizedShares','i64','Shares authorised.',False), ('issuedShares','i64','Shares issued.',False)]),
  ('Shareholder', 'A holder of securities in a cap table.', None, [
     ('id','str','Shareholder id.',False), ('entityId','str','Holder entity or user id.',False), ('name','str','Holder name.',False),
     ('shares','i64','Shares held.',False), ('ownershipPercentage','str','Ownership percentage (decimal text).',False)]),
  ('Security', 'A security issued from a cap table.', None, [
     ('id','str','Security id.',False), ('shareClassId','str','Share class.',False), ('holderEntityId','str','Holder.',False),
     ('quantity','i64','Quantity.',False), ('type',e('SecurityKind'),'Kind.',False), ('status',e('SecurityStatus'),'Lifecycle.',False),
     ('issuedAt','str','Issued at (RFC 3339).',False)]),
  ('CreateCapTable', 'Body of cap table creation.', None, [
     ('organizationId','str','Organization (required).',True), ('authorizedShares','i64','Shares authorised (required).',True),
     ('shareClasses',arr(s('ShareClass')),'Initial share classes.',False)], 'nodefault'),
  ('IssueSecurity', 'Body of a security issue (sent with an idempotency key).', None, [
     ('shareClassId','str','Share class (required).',True), ('holderEntityId','str','Holder (required).',True),
     ('holderName','str','Holder name.',False), ('quantity','i64','Quantity (required).',True),
     ('type',e('SecurityKind'),'Kind; SHARES when absent.',False)], 'nodefault'),
  ('CapTable', 'An organization\'s capitalisation table.', None, [
     ('id','str','Cap table id.',False), ('organizationId','str','Organization.',False),
     ('authorizedShares','i64','Shares authorised.',False), ('issuedShares','i64','Shares issued.',False),
     ('shareClasses',arr(s('ShareClass')),'Share classes.',False), ('shareholders',arr(s('Shareholder')),'Shareholders.',False),
     ('securities',arr(s('Security')),'Securities.',False), ('createdAt','str','Created at (RFC 3339).',False),
     ('updatedAt','str','Updated at (RFC 3339).',False)]),
 ]}

MODULES['investment'] = {
 'enums': [
  ('FundraiserStatus', 'Lifecycle of a fundraiser.', ['DRAFT','OPEN','CLOSED','CANCELLED']),
  ('InvestmentStatus', 'Lifecycle of an investment.', ['PENDING','COMMITTED','FUNDED','CANCELLED']),
 ],
 'structs': [
  ('CreateFundraiserWire', 'Body of fundraiser creation as it crosses the wire.', None, [
     ('organizationId','str','Raising organization (required).',True), ('name','str','Name (required).',True),
     ('targetAmount','f64','Target as a decimal number (required).',True), ('currency','str','ISO 4217 code (required).',True),
     ('shareClassId','str','Share class offered.',False), ('closesAt','str','Closing date (RFC 3339).',False)], 'private nodefault'),
  ('FundraiserWire', 'A fundraiser as it crosses the wire.', None, [
     ('id','str','Fundraiser id.',False), ('organizationId','str','Raising organization.',False), ('name','str','Name.',False),
     ('targetAmount','f64','Target.',False), ('raisedAmount','f64','Raised so far.',False), ('currency','str','ISO 4217 code.',False),
     ('status',e('FundraiserStatus'),'Lifecycle.',False), ('shareClassId','str','Share class offered.',False),
     ('closesAt','str','Closing date.',False), ('createdAt','str','Created at.',False)], 'private'),
  ('CreateInvestmentWire', 'Body of investment creation as it crosses the wire.', None, [
     ('fundraiserId','str','Fundraiser (required).',True), ('investorEntityId','str','Investor (required).',True),
     ('amount','f64','Amount as a decimal number (required).',True), ('currency','str','ISO 4217 code (required).',True)], 'private nodefault'),
  ('InvestmentWire', 'An investment as it crosses the wire.', None, [
     ('id','str','Investment id.',False), ('fundraiserId','str','Fundraiser.',False), ('organizationId','str','Raising organization.',False),
     ('investorEntityId','str','Investor.',False), ('amount','f64','Amount.',False), ('currency','str','ISO 4217 code.',False),
     ('status',e('InvestmentStatus'),'Lifecycle.',False), ('createdAt','str','Created at.',False)], 'private'),
 ]}

MODULES['identity'] = {
 'enums': [
  ('VerificationKind', 'What was verified.', ['KYC','KYB','CNIC','NTN']),
  ('VerificationStatus', 'Outcome of a verification.', ['PENDING','VERIFIED','REJECTED','EXPIRED']),
  ('FilerStatus', 'A Pakistani taxpayer\'s filer status (FBR active taxpayer list).', ['FILER','NON_FILER','LATE_FILER']),
 ],
 'structs': [
  ('KycRequest', 'Body of a KYC (individual) verification.', None, [
     ('entityId','str','Organization the person belongs to (required).',True), ('userId','str','Person (required).',True),
     ('fullName','str','Full legal name (required).',True), ('dateOfBirth','str','Date of birth (YYYY-MM-DD).',False),
     ('nationality','str','ISO 3166 country code.',False), ('documentType','str','Identity document type.',False),
     ('documentNumber','str','Identity document number.',False)], 'nodefault'),
  ('KybRequest', 'Body of a KYB (business) verification.', None, [
     ('entityId','str','Organization (required).',True), ('registeredName','str','Registered name (required).',True),
     ('registrationNumber','str','Registry number (required).',True), ('jurisdiction','str','Registry jurisdiction (required).',True)], 'nodefault'),
  ('CnicRequestWire', 'Body of a CNIC verification as it crosses the wire.', None, [
     ('cnic','str','13-digit CNIC without dashes (required).',True), ('fullName','str','Name on the card (required).',True),
     ('entityId','str','Organization the person belongs to.',False), ('dateOfBirth','str','Date of birth (YYYY-MM-DD).',False)], 'private nodefault'),
  ('NtnRequestWire', 'Body of an NTN verification as it crosses the wire.', None, [
     ('ntn','str','7-digit NTN (required).',True), ('entityId','str','Organization holding the NTN.',False),
     ('registeredName','str','Registered name.',False)], 'private nodefault'),
  ('Verification', 'A verification record (KYC, KYB, CNIC or NTN).', None, [
     ('id','str','Verification id.',False), ('entityId','str','Organization.',False), ('subjectId','str','Person, business, CNIC or NTN verified.',False),
     ('kind',e('VerificationKind'),'What was verified.',False), ('status',e('VerificationStatus'),'Outcome.',False),
     ('filerStatus',e('FilerStatus'),'Filer status (NTN verifications only).',False),
     ('reason','str','Why, when rejected.',False), ('createdAt','str','Created at (RFC 3339).',False)]),
  ('FilerStatusRecord', 'The current filer status of an NTN.', None, [
     ('ntn','str','The NTN.',False), ('filerStatus',e('FilerStatus'),'Filer status.',False), ('checkedAt','str','Checked at (RFC 3339).',False)]),
 ]}
